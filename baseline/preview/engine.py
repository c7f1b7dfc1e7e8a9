"""Plan a project offline: run its program in a subprocess under AWS-shaped mocks."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from baseline.preview.mocks import DEFAULT_ACCOUNT
from baseline.preview.model import Plan
from baseline.preview.runner import ProgramError, plan_from_json
from baseline.project import StackFile, program_config, python_program

PROGRAM_TIMEOUT_SECONDS = 600


def program_request(
    stack: StackFile, *, preview: bool = True, account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    """What `baseline.preview.runner` needs to run the stack's program (`run_project`)."""
    config, secret_keys = program_config(stack)
    return {
        "project_dir": str(stack.project_dir),
        "main": str(python_program(stack)),
        "project": stack.project,
        "stack": stack.stack,
        "config": config,
        "secret_keys": list(secret_keys),
        "preview": preview,
        "account": account,
        "region": config.get("aws:region", "us-east-1"),
    }


def plan_project(stack: StackFile, *, preview: bool = True, account: str = DEFAULT_ACCOUNT) -> Plan:
    """Run the stack's program as `pulumi preview` would; raise ProgramError when it fails."""
    request = program_request(stack, preview=preview, account=account)
    main = Path(request["main"])
    with tempfile.TemporaryDirectory(prefix="baseline-preview-") as scratch:
        request_path = Path(scratch, "request.json")
        result_path = Path(scratch, "result.json")
        request_path.write_text(json.dumps(request))
        try:
            completed = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "baseline.preview.runner",
                    str(request_path),
                    str(result_path),
                ],
                cwd=stack.project_dir,
                capture_output=True,
                text=True,
                timeout=PROGRAM_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            what = f"the program ran longer than {PROGRAM_TIMEOUT_SECONDS} s and was stopped"
            raise ProgramError([f"error: {main.name}: {what}"]) from None
        if not result_path.exists():
            tail = (completed.stderr or completed.stdout).strip().splitlines()[-1:] or ["no output"]
            raise ProgramError([f"error: {main.name}: the program crashed: {tail[0]}"])
        result = json.loads(result_path.read_text())
    if "error" in result:
        raise ProgramError(result["error"])
    return plan_from_json(result["plan"])
