"""Runs moto's server (the same WSGI app as `moto_server`) on 127.0.0.1 with an OS-chosen port.

Prints one line, `moto listening on http://127.0.0.1:PORT`, then serves until its standard input
closes or it gets SIGTERM/SIGINT, so the test that started it can never leave it behind.

TOTP codes are verified (MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true): without it moto accepts
any SOFTWARE_TOKEN_MFA code, and the wrong-code checks would prove nothing.
"""

import os
import signal
import sys
import threading

os.environ.setdefault("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")

from moto.moto_server.threaded_moto_server import ThreadedMotoServer  # noqa: E402


def main() -> int:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    print(f"moto listening on http://{host}:{port}", flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())

    def watch_stdin() -> None:
        try:
            sys.stdin.read()
        finally:
            done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    done.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
