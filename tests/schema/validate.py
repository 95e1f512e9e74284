#!/usr/bin/python3
"""validate.py FILE... - every line of every FILE (JSON Lines written by
starttls-check) against tests/schema/result.schema.json with Debian's
python3-jsonschema (Draft 2020-12). Prints the first few problems and the
closing line "json-schema: N passed, M failed" (N lines valid, M lines
invalid or not JSON); exit 1 when any line is invalid or no line was seen.
"""
import json
import os
import sys

import jsonschema

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "result.schema.json"), encoding="utf-8") as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

good = bad = 0
shown = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                errors = sorted(validator.iter_errors(obj), key=lambda e: list(e.path))
            except ValueError as e:
                errors = ["not JSON: %s" % e]
            if errors:
                bad += 1
                if shown < 5:
                    shown += 1
                    e = errors[0]
                    where = "/".join(str(p) for p in getattr(e, "absolute_path", []))
                    msg = getattr(e, "message", str(e))
                    print("INVALID %s:%d at /%s: %s" % (path, n, where, msg[:300]))
            else:
                good += 1
print("json-schema: %d passed, %d failed" % (good, bad + (1 if good + bad == 0 else 0)))
sys.exit(0 if bad == 0 and good > 0 else 1)
