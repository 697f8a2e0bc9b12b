# cognito-tui's Python runner for Lambda triggers (embedded in the binary, run by `python3 -c`).
# argv: <file path> <function name>. The event arrives on stdin; the answer goes to stdout as
# one line `<marker><json>`, where the marker comes from COGNITO_TUI_MARKER. Everything the
# handler prints goes to stderr, so it cannot corrupt the answer.
import asyncio
import importlib.util
import inspect
import json
import os
import sys
import time
import uuid

_out = sys.stdout
sys.stdout = sys.stderr
_marker = os.environ.get("COGNITO_TUI_MARKER", "")
_deadline = time.monotonic() + int(os.environ.get("COGNITO_TUI_TIMEOUT_MS", "5000")) / 1000.0


def _answer(obj):
    _out.write(_marker + json.dumps(obj) + "\n")
    _out.flush()


class LambdaContext:
    def __init__(self, function_name, region):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = (
            "arn:aws:lambda:%s:000000000000:function:%s" % (region, function_name)
        )
        self.memory_limit_in_mb = "128"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = "/aws/lambda/" + function_name
        self.log_stream_name = "cognito-tui"
        self.identity = None
        self.client_context = None

    def get_remaining_time_in_millis(self):
        return max(0, int((_deadline - time.monotonic()) * 1000))


def _main():
    path, name = sys.argv[1], sys.argv[2]
    event = json.load(sys.stdin)
    try:
        path = os.path.abspath(path)
        sys.path.insert(0, os.path.dirname(path))
        module_name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError("Unable to import module '%s'" % module_name)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    except BaseException as e:  # noqa: BLE001 - any import failure is the function's error
        _answer({"error": {"type": "Runtime.ImportModuleError", "message": str(e)}})
        return
    fn = getattr(module, name, None)
    if not callable(fn):
        _answer({"error": {"type": "Runtime.HandlerNotFound",
                           "message": "Handler '%s' missing on module '%s'" % (name, module_name)}})
        return
    context = LambdaContext(os.environ.get("COGNITO_TUI_FUNCTION", "trigger"),
                            event.get("region") or "us-east-1")
    try:
        result = fn(event, context)
        if inspect.isawaitable(result):
            async def _wait(aw):
                return await aw
            result = asyncio.run(_wait(result))
    except Exception as e:  # noqa: BLE001 - a handler's exception is its answer
        _answer({"error": {"type": type(e).__name__, "message": str(e)}})
        return
    _answer({"ok": result})


_main()
