# The docs test's Python interpreter for one document: runs each ```python block it is sent (one
# JSON line {"name", "code"}) in one shared namespace, in document order, like cells of a notebook,
# and ends each block's output with a status line. SIGINT (a timeout marker) stops the running block.
import json
import sys
import traceback

sys.stderr = sys.stdout
namespace = {"__name__": "__main__"}

for line in sys.stdin:
    request = json.loads(line)
    try:
        exec(compile(request["code"], request["name"], "exec"), namespace)
        status = "ok"
    except KeyboardInterrupt:
        status = "interrupted"
    except SystemExit as e:
        status = "ok" if e.code in (None, 0) else "error"
    except BaseException:
        traceback.print_exc()
        status = "error"
    sys.stdout.flush()
    print("\n<<<docs-test block end: %s>>>" % status, flush=True)
