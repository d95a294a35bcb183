#!/usr/bin/env python3
"""name_to_handle_at + open_by_handle_at (the 'shocker' escape: open host files by inode handle)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import escape_common as ec  # noqa: E402

import ctypes
import struct

handle = ctypes.create_string_buffer(struct.pack("<Ii", 128, 0), 8 + 128)
mount_id = ctypes.c_int(0)
AT_FDCWD = -100
r1, e1 = ec.syscall("name_to_handle_at", AT_FDCWD, ctypes.c_char_p(b"/"), handle, ctypes.byref(mount_id), 0)
root = os.open("/", os.O_RDONLY)
r2, e2 = ec.syscall("open_by_handle_at", root, handle, os.O_RDONLY)
ec.report("open_by_handle_at", r2 >= 0, f"name_to_handle_at: {e1}; open_by_handle_at: {e2}")
