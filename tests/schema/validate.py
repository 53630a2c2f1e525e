#!/usr/bin/env python3
"""tests/schema/validate.py - validate smtptls JSON output against a schema.

usage: validate.py SCHEMA FILE [NAME] | SCHEMA FILE NAME FILE NAME...

FILE holds one JSON document or JSON Lines (one document per line; blank
lines are ignored). Each document is validated with
jsonschema.Draft202012Validator against SCHEMA; the other *.schema.json files
beside SCHEMA are registered by their $id so that references such as
"common.schema.json#/$defs/lookup" resolve offline. One line per document:

    PASS NAME[#N]
    FAIL NAME[#N]
      expected: <schema path and the failed keyword>
      seen: <JSON path of the instance>: <message>

NAME defaults to FILE's base name; #N (1-based line) is appended when FILE
holds more than one document. Exit status: 0 all passed, 1 a document failed,
2 usage or an unreadable schema/file. Several FILE NAME pairs are checked
against SCHEMA in one run (the import and the schema checks are most of a
run's time); the exit status is then the worst of them.
"""
import glob
import json
import os
import sys

try:
    import jsonschema
    from jsonschema import Draft202012Validator
except ImportError as e:  # pragma: no cover
    print("FAIL schema/validator\n  expected: python3-jsonschema (scripts/setup.sh)\n  seen: %s" % e)
    sys.exit(2)

MAX_ERRORS = 5


def load_schemas(schema_path):
    store = {}
    for p in glob.glob(os.path.join(os.path.dirname(os.path.abspath(schema_path)), "*.schema.json")):
        with open(p, encoding="utf-8") as f:
            s = json.load(f)
        store[s.get("$id", "file://" + os.path.abspath(p))] = s
    with open(schema_path, encoding="utf-8") as f:
        root = json.load(f)
    Draft202012Validator.check_schema(root)
    for s in store.values():
        Draft202012Validator.check_schema(s)
    return root, store


def make_validator(root, store):
    try:  # jsonschema >= 4.18: the referencing library
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012
        registry = Registry().with_resources(
            (uri, Resource.from_contents(s, default_specification=DRAFT202012)) for uri, s in store.items())
        return Draft202012Validator(root, registry=registry)
    except ImportError:  # Debian bookworm: jsonschema 4.10
        resolver = jsonschema.RefResolver.from_schema(root, store=store)
        return Draft202012Validator(root, resolver=resolver)


def json_path(path):
    out = "$"
    for p in path:
        out += "[%d]" % p if isinstance(p, int) else "." + str(p)
    return out


def leaf_errors(err):
    """The most specific errors: descend into anyOf/oneOf contexts."""
    ctx = list(err.context)
    if not ctx:
        return [err]
    if err.validator == "oneOf":
        # drop the branches meant for another record type ("type" const)
        wrong = {e.relative_schema_path[0] for e in ctx
                 if e.validator == "const" and list(e.relative_path) == ["type"]}
        ctx = [e for e in ctx if e.relative_schema_path[0] not in wrong] or ctx
    # keep the errors of the branches that got furthest into the instance
    depth = max(len(e.absolute_path) for e in ctx)
    out = []
    for e in ctx:
        if len(e.absolute_path) == depth:
            out.extend(leaf_errors(e))
    return out or [err]


def short(v, n=160):
    s = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
    return s if len(s) <= n else s[:n] + "..."


def main(argv):
    if len(argv) < 3 or (len(argv) > 4 and len(argv) % 2 == 1):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    schema_path = argv[1]
    if len(argv) == 3:
        pairs = [(argv[2], os.path.basename(argv[2]))]
    else:
        pairs = list(zip(argv[2::2], argv[3::2]))
    try:
        root, store = load_schemas(schema_path)
        validator = make_validator(root, store)
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        for _, name in pairs:
            print("FAIL %s\n  expected: a readable schema and input\n  seen: %s" % (name, short(str(e), 400)))
        return 2
    return max(validate_file(validator, data_path, name) for data_path, name in pairs)


def validate_file(validator, data_path, name):
    try:
        with open(data_path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, ValueError) as e:
        print("FAIL %s\n  expected: a readable schema and input\n  seen: %s" % (name, short(str(e), 400)))
        return 2

    docs = []
    stripped = text.strip()
    if not stripped:
        print("FAIL %s\n  expected: at least one JSON document\n  seen: empty input" % name)
        return 1
    lines = [(i + 1, l) for i, l in enumerate(text.split("\n")) if l.strip()]
    if len(lines) > 1:
        for n, l in lines:
            docs.append(("%s#%d" % (name, n), l))
    else:
        docs.append((name, stripped))

    failed = 0
    for dname, src in docs:
        try:
            doc = json.loads(src)
        except ValueError as e:
            print("FAIL %s\n  expected: one JSON document per line\n  seen: %s: %s" % (dname, e, short(src)))
            failed += 1
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
        if not errors:
            print("PASS %s" % dname)
            continue
        failed += 1
        print("FAIL %s" % dname)
        shown = 0
        for top in errors:
            for e in leaf_errors(top):
                if shown == MAX_ERRORS:
                    break
                shown += 1
                sp = "/".join(str(p) for p in e.absolute_schema_path)
                print("  expected: %s (%s: %s)" % (sp, e.validator, short(e.validator_value, 120)))
                print("  seen: %s: %s" % (json_path(e.absolute_path), short(e.message, 300)))
        total = len(errors)
        if total > shown:
            print("  seen: ... %d error(s) in all" % total)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
