#!/usr/bin/env python3
# conform.schemas: the JSON Schemas of docs/schemas/ say what mynasim really sends and what the reference program
# really answers. Every day of every scenario of the suite (--dump-days) validates against
# issuance-day.schema.json, and every line the reference program writes for those days against
# issuance-mailing.schema.json.
#   schemas.py MYNASIM ISSUANCE_REF SOURCE_DIR
import json
import os
import subprocess
import sys

import jsonschema

mynasim, ref, src = sys.argv[1:4]
os.chdir(src)
day_schema = json.load(open("docs/schemas/issuance-day.schema.json", encoding="utf-8"))
mail_schema = json.load(open("docs/schemas/issuance-mailing.schema.json", encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(day_schema)
jsonschema.Draft202012Validator.check_schema(mail_schema)
days_v = jsonschema.Draft202012Validator(day_schema)
mail_v = jsonschema.Draft202012Validator(mail_schema)
files = [l.strip() for l in open("scenarios/conformance/issuance-suite.txt", encoding="utf-8")
         if l.strip() and not l.startswith("#")]
ndays = nlines = 0
for f in files:
    dump = subprocess.run([mynasim, "conform", "issuance", "--dump-days", f], stdout=subprocess.PIPE, check=True,
                          timeout=120).stdout
    for line in dump.decode().splitlines():
        err = next(days_v.iter_errors(json.loads(line)), None)
        if err is not None:
            sys.exit("%s: a day does not validate: %s at %s" % (f, err.message, list(err.absolute_path)))
        ndays += 1
    answer = subprocess.run([ref], input=dump, stdout=subprocess.PIPE, check=True, timeout=120).stdout
    for line in answer.decode().splitlines():
        err = next(mail_v.iter_errors(json.loads(line)), None)
        if err is not None:
            sys.exit("%s: the reference wrote a line that does not validate: %s: %s" % (f, line, err.message))
        nlines += 1
print("conform.schemas: %d days and %d answer lines of %d scenarios validate" % (ndays, nlines, len(files)))
