#!/usr/bin/env python3
"""Validate OCDS release packages offline with libcoveocds and the 1.1.5 schema beside this file.

    python3 -m venv .venv && .venv/bin/pip install libcoveocds==0.17.0
    .venv/bin/python validate.py package1.json [package2.json ...]

For each file, runs the `libcoveocds` command (the library behind the OCDS Data Review Tool)
with `--standard-zip standard-1__1__5-schema.zip`, so nothing is downloaded. A file fails on
any schema validation error, any value outside a closed codelist, and any field outside the
schema (groupbuy uses no extension). Prints what each reports; exits 1 when any file fails.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_ZIP = os.path.join(HERE, "standard-1__1__5-schema.zip")
COVE = os.path.join(os.path.dirname(sys.executable), "libcoveocds")


def review(path, out_dir):
    run = subprocess.run(
        [COVE, "-d", "-o", out_dir, "--standard-zip", SCHEMA_ZIP, path],
        capture_output=True, text=True, check=False,
    )
    if run.returncode != 0:
        return None, run.stderr.strip() or run.stdout.strip()
    return json.loads(run.stdout), None


def main(paths):
    if not paths:
        print(__doc__)
        return 2
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, path in enumerate(paths):
            result, error = review(path, os.path.join(tmp, str(i)))
            name = os.path.basename(path)
            if error is not None:
                print(f"{name}: libcoveocds failed: {error}")
                failed += 1
                continue
            errors = result.get("validation_errors") or []
            closed = result.get("additional_closed_codelist_values") or {}
            extra = result.get("all_additional_fields") or []
            problems = len(errors) + len(closed) + len(extra)
            print(f"{name}: OCDS {result.get('version_used')}, {len(errors)} validation errors, "
                  f"{len(closed)} closed codelist values outside the lists, {len(extra)} fields outside the schema")
            for item in errors:
                print(f"  error: {item}")
            for field, info in closed.items():
                print(f"  closed codelist: {field}: {info.get('values')}")
            for item in extra:
                print(f"  additional field: {item.get('path')}/{item.get('field_name')}")
            failed += problems > 0
    print(f"{len(paths)} packages, {failed} failing")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
