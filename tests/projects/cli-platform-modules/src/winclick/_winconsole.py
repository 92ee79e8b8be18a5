# As click's own: ctypes first, then the platform asserted, then what exists on Windows only.
import io
import sys
from ctypes import c_char_p, c_ulong

assert sys.platform == "win32"
import msvcrt  # noqa: E402
from ctypes import windll  # noqa: E402


def write_console(message: str) -> None:
    handle = msvcrt.get_osfhandle(sys.stdout.fileno())
    data = c_char_p(message.encode("utf-16-le"))
    windll.kernel32.WriteConsoleW(handle, data, len(message), c_ulong(), None)
    io.StringIO(message)
