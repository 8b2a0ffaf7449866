#!/usr/bin/python3
"""Reads a SARIF log written by `migcheck ci --sarif` as a code-scanning service would.

Usage: check_sarif.py SCHEMA LOG

The log must validate against the SARIF 2.1.0 JSON schema (SCHEMA, with Debian's
python3-jsonschema), and it must say what the gate promises: each result located at a line of
the model's source (a lost wake-up, a deadlock or a leak, found at the end of an execution, at
the test's file), with its interleaving as a code flow whose steps, over all thread flows,
are in one global order, and whose racing accesses are marked essential in two threads.
"""
import json
import sys

import jsonschema


def fail(message):
    print("sarif: " + message)
    sys.exit(1)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        log = json.load(f)
    jsonschema.Draft4Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(log), key=lambda e: list(e.path))
    for e in errors[:20]:
        print("schema: /" + "/".join(str(p) for p in e.path) + ": " + e.message)
    if errors:
        fail("%d schema errors" % len(errors))
    if log.get("version") != "2.1.0" or len(log["runs"]) != 1:
        fail("expected one run of version 2.1.0")
    run = log["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    results = run["results"]
    if not results:
        fail("no results")
    two_sided = 0
    for i, r in enumerate(results):
        where = "result %d (%s)" % (i, r["ruleId"])
        if rules[r["ruleIndex"]] != r["ruleId"]:
            fail(where + ": ruleIndex does not name its rule")
        phys = r["locations"][0]["physicalLocation"]
        uri = phys["artifactLocation"]["uri"]
        if not (uri.endswith(".cc") or uri.endswith(".h") or uri.endswith(".litmus")):
            fail(where + ": located at " + uri + ", not a source line")
        if "region" in phys:
            if phys["region"]["startLine"] < 1:
                fail(where + ": no line")
        elif r["ruleId"] not in ("lost-wakeup", "deadlock", "leak") or not uri.endswith(".litmus"):
            # Only what is found at the end of an execution has no line: it is the test's.
            fail(where + ": no line")
        flows = r["codeFlows"][0]["threadFlows"]
        steps = sorted((loc["executionOrder"], flow["id"], loc.get("importance", "important"))
                       for flow in flows for loc in flow["locations"])
        orders = [s[0] for s in steps]
        if len(set(orders)) != len(orders):
            fail(where + ": two steps share a place in the execution order")
        essential_threads = {s[1] for s in steps if s[2] == "essential"}
        at_end = r["ruleId"] in ("lost-wakeup", "deadlock", "leak")
        if not essential_threads and not at_end:
            fail(where + ": no step marked essential")
        if r["ruleId"] == "data-race":
            if len(essential_threads) != 2:
                fail(where + ": a race's two accesses must be essential, in two threads")
            two_sided += 1
    print("sarif valid: %d results, %d rules, %d races with both sides marked"
          % (len(results), len(rules), two_sided))


main()
