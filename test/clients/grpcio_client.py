"""A Python gRPC client built from proto/ alone (grpcio + stubs that grpc_tools.protoc generated
at test time): registers a model, reads it back, and checks an error code. Prints a JSON summary.

usage: grpcio_client.py GENERATED_DIR HOST:PORT MODEL_NAME
"""

import json
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from modelregistry.v1 import model_registry_service_pb2 as svc  # noqa: E402
from modelregistry.v1 import model_registry_service_pb2_grpc as rpc  # noqa: E402
from modelregistry.v1 import resources_pb2 as res  # noqa: E402

address, name = sys.argv[2], sys.argv[3]
with grpc.insecure_channel(address) as channel:
    stub = rpc.ModelRegistryServiceStub(channel)
    registered = stub.RegisterModel(
        svc.RegisterModelRequest(
            request_id=f"grpcio-{name}",
            registered_model=res.RegisteredModel(display_name=name, owner="risk-team"),
            model_version=res.ModelVersion(
                version="v2",
                custom_properties={
                    "accuracy": res.MetadataValue(double_value=0.967),
                    "epochs": res.MetadataValue(int_value=12),
                    "dataset_version": res.MetadataValue(string_value="fraud-data-q4-2025"),
                },
            ),
            model_artifacts=[res.ModelArtifact(uri=f"s3://ml-models/{name}/v2/model.onnx", model_format_name="onnx")],
        ),
        metadata=[("x-actor", "grpcio@acme.com")],
        timeout=10,
    )
    got = stub.GetModelVersion(svc.GetModelVersionRequest(registered_model_display_name=name, version="v2"), timeout=10)
    artifacts = stub.ListModelArtifacts(svc.ListModelArtifactsRequest(parent=got.model_version.name), timeout=10)
    try:
        stub.GetRegisteredModel(svc.GetRegisteredModelRequest(display_name=name + "-missing"), timeout=10)
        missing = "OK"
    except grpc.RpcError as error:
        missing = error.code().name
    v = got.model_version
    print(
        json.dumps(
            {
                "created": registered.registered_model_created,
                "name": v.name,
                "version": v.version,
                "state": res.State.Name(v.state),
                "accuracy": v.custom_properties["accuracy"].double_value,
                "epochs": v.custom_properties["epochs"].int_value,
                "uri": artifacts.model_artifacts[0].uri,
                "missing": missing,
            }
        )
    )
