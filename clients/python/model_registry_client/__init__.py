"""The SDK's earlier import name, kept so code written against it keeps working.

New code imports ``model_registry`` (``from model_registry import ModelRegistryClient``).
"""

from model_registry import *  # noqa: F401,F403
from model_registry import __all__, __version__  # noqa: F401
