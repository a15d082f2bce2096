"""Peak memory of the server while a teacher uploads a 50 MB video, both ways the page can send it:
one multipart form post (no JavaScript) and resumable 4 MB chunks (evidence.js).

The target: the peak stays under 30 MB above the idle process.
    python -m bench.upload_memory [--mb 50]"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
TARGET_MB = 30


def peak_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def reset_peak(pid: int) -> None:
    # Writing 5 to clear_refs resets the peak resident size (Linux 4.0+).
    with open(f"/proc/{pid}/clear_refs", "w") as fh:
        fh.write("5")


class Client:
    def __init__(self, port: int):
        self.port, self.cookie = port, ""

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        if hasattr(body, "__iter__") and not isinstance(body, (bytes, str)):
            conn.putrequest(method, path)
            for k, v in headers.items():
                conn.putheader(k, v)
            conn.endheaders()
            for block in body:
                conn.send(block)
        else:
            conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        conn.close()
        return response.status, data


def video_blocks(size: int, block: int = 256 * 1024):
    yield MP4_HEAD
    sent = len(MP4_HEAD)
    filler = os.urandom(block)
    while sent < size:
        part = filler[: min(block, size - sent)]
        sent += len(part)
        yield part


def multipart(size: int, boundary: str = "benchboundary7"):
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\nsave\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file-0\"; filename=\"class.mp4\"\r\n"
            "Content-Type: video/mp4\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + size + len(tail)

    def body():
        yield head
        yield from video_blocks(size)
        yield tail

    return body(), length, boundary


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=50)
    args = parser.parse_args()
    size = args.mb * 1024 * 1024
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen([sys.executable, "-m", "bench._server", folder], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        try:
            ready = server.stdout.readline().split()
            port, submission_id = int(ready[1]), int(ready[2])
            client = Client(port)
            client.request("POST", "/login", "email=bench%40school.example&password=benchmark-password",
                           {"Content-Type": "application/x-www-form-urlencoded"})
            client.request("GET", f"/submissions/{submission_id}")  # warm up templates and imports
            time.sleep(0.2)
            results = {}

            reset_peak(server.pid)
            idle = peak_kb(server.pid)
            body, length, boundary = multipart(size)
            status, _ = client.request("POST", f"/submissions/{submission_id}", body,
                                       {"Content-Type": f"multipart/form-data; boundary={boundary}",
                                        "Content-Length": str(length)})
            assert status == 302, f"form upload answered {status}"
            results["form_post"] = (idle / 1024, peak_kb(server.pid) / 1024)

            reset_peak(server.pid)
            idle = peak_kb(server.pid)
            status, data = client.request("POST", f"/submissions/{submission_id}/uploads",
                                          json.dumps({"prompt": 0, "filename": "class2.mp4", "size": size + 1}),
                                          {"Content-Type": "application/json"})
            info = json.loads(data)
            offset, blocks, buffer = 0, video_blocks(size + 1), b""
            for block in blocks:
                buffer += block
                while len(buffer) >= info["chunk"]:
                    chunk, buffer = buffer[: info["chunk"]], buffer[info["chunk"]:]
                    status, data = client.request("PUT", info["url"], chunk, {"Upload-Offset": str(offset)})
                    offset = json.loads(data)["offset"]
            if buffer:
                status, data = client.request("PUT", info["url"], buffer, {"Upload-Offset": str(offset)})
            assert json.loads(data)["done"], data
            results["chunked"] = (idle / 1024, peak_kb(server.pid) / 1024)
        finally:
            server.terminate()
            server.wait(timeout=10)
    ok = all(peak - idle < TARGET_MB for idle, peak in results.values())
    for way, (idle, peak) in results.items():
        print(f"{args.mb} MB upload, {way:>9}: idle {idle:5.1f} MB, peak {peak:5.1f} MB, "
              f"{peak - idle:4.1f} MB above idle (target < {TARGET_MB} MB)")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
