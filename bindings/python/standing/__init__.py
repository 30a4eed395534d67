"""standing: customer tiers under a declarative policy.

A pure-Python binding (ctypes) of libstanding's C ABI. Messages are the
protobuf classes of ``standing.v1`` (generated from proto/standing/v1/)::

    import standing
    with standing.Engine(policy_json) as engine:
        for t in engine.apply(event):
            print(t.customer_id, t.program, t.from_tier, "->", t.to_tier)

The shared library is found through ``STANDING_LIBRARY``, then next to this
package, then the system's search path.
"""

# Load libstanding before the protobuf modules: with the C++ protobuf
# runtime shared with Python (Debian's python3-protobuf), the standing.v1
# classes then use the library's generated C++ code instead of dynamic
# messages, which serializes ~10x faster.
from standing import _native  # noqa: I001  (must come first)
from standing import v1
from standing._engine import CustomerView, Engine, Format
from standing._errors import (
    AlreadyExists,
    EngineClosed,
    FailedPrecondition,
    InternalError,
    InvalidArgument,
    LibraryNotFound,
    MalformedMessage,
    NotFound,
    OutOfMemory,
    OutOfRange,
    PermissionDenied,
    PolicyError,
    StandingError,
    StorageError,
    TooLarge,
    Unimplemented,
)
from standing._native import ABI_VERSION, abi_version, status_name
from standing._native import version as library_version
from standing.v1 import (
    Customer,
    CustomerPage,
    Event,
    EventBatch,
    Explanation,
    Policy,
    Transition,
    TransitionList,
)

__version__ = library_version()

__all__ = [
    "ABI_VERSION",
    "AlreadyExists",
    "Customer",
    "CustomerPage",
    "CustomerView",
    "Engine",
    "EngineClosed",
    "Event",
    "EventBatch",
    "Explanation",
    "FailedPrecondition",
    "Format",
    "InternalError",
    "InvalidArgument",
    "LibraryNotFound",
    "MalformedMessage",
    "NotFound",
    "OutOfMemory",
    "OutOfRange",
    "PermissionDenied",
    "Policy",
    "PolicyError",
    "StandingError",
    "StorageError",
    "TooLarge",
    "Transition",
    "TransitionList",
    "Unimplemented",
    "abi_version",
    "library_version",
    "status_name",
    "v1",
]
