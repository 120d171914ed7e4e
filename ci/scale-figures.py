#!/usr/bin/python3
"""Figures of large, real-shaped scenarios (issue 17), printed, never asserted. Run by ci/bench-service.

  scale-figures.py MYNASIM memory   the peak memory (ru_maxrss) of `check` and `run --fidelity rules` on a
                                    scenario of real-shaped residents just under the 16 MiB file limit (100,000
                                    named residents, the rest visits), and its ratio to the file's size
  scale-figures.py MYNASIM clinics  `run --fidelity rules`'s time with 100, 1,000 and 10,000 clinics and the
                                    same 20,000 visits (a clinic's cost), then with more visits (a visit's)
"""
import os
import subprocess
import sys
import tempfile
import time

INSURERS = [("kitamoto-nhi", "nhi", "112334"), ("acme-kenpo", "society", "06130215"),
            ("kyokai-saitama", "kyokai", "01110014"), ("saitama-kouki", "latter_elderly", "39110010")]
LIMIT = 16 * 1024 * 1024


def resident(i):
    """A resident as the library writes them: an NHI, society or kyokai member with a registered card and a
    notice or a paper card, or a latter-elderly member with a paper card."""
    k = i % 10
    born = "19%02d-%02d-%02d" % (52 + i % 40, 1 + i % 12, 1 + i % 28)
    if k < 4:
        return ("  - {id: r%06d, born: %s, insurer: kitamoto-nhi, card: {issued: 2022-06-01}, "
                "registered: 2023-02-01, holds: [notice]}\n" % (i, born))
    if k < 7:
        return ("  - {id: r%06d, born: %s, insurer: acme-kenpo, card: {issued: 2021-11-01}, "
                "registered: 2022-01-10}\n" % (i, born))
    if k < 9:
        return ("  - {id: r%06d, born: %s, insurer: kyokai-saitama, paper_card: {issued: 2024-08-01}}\n"
                % (i, born))
    return ("  - {id: r%06d, born: 1948-%02d-%02d, insurer: saitama-kouki, paper_card: {issued: 2024-08-01}}\n"
            % (i, 1 + i % 12, 1 + i % 28))


def head(name, clinics, period=("2025-08-01", "2025-10-31")):
    out = ["scenario: %s\nperiod: {from: %s, to: %s}\npolicy: national\ninsurers:\n" % (name, *period)]
    out += ["  - {id: %s, kind: %s, number: \"%s\"}\n" % x for x in INSURERS]
    out.append("clinics:\n")
    out += ["  - {id: c%05d, reader: %s}\n" % (c, "face" if c % 3 else "pin") for c in range(clinics)]
    return out


def visit(i, n, clinics):
    bring = "[card]" if i % 10 < 7 else "[paper_card]"
    day = 1 + (n * 7 + i) % 28
    month = 8 + (n % 3)
    return ("  - {date: 2025-%02d-%02d, who: r%06d, do: visit, clinic: c%05d, bring: %s, kind: %s}\n"
            % (month, day, i, (i * 31 + n) % clinics, bring, "first" if n == 0 else "revisit"))


def by_date(events):
    """Events in date order (same-day events keep their order), as the format requires."""
    return sorted(events, key=lambda e: e[len("  - {date: "):len("  - {date: ") + 10])


def write(path, parts):
    with open(path, "w") as f:
        f.write("".join(parts))
    return os.path.getsize(path)


def run(cmd):
    """Wall time and peak resident set of one child (ru_maxrss of wait4)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, ru = os.wait4(p.pid, 0)[1:]
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    return time.monotonic() - t0, ru.ru_maxrss * 1024, err


def memory(mynasim, d):
    """100,000 named residents (the limit), then visits of theirs until the file is just under 16 MiB."""
    parts = head("bench-memory-16mib", 1000)
    size = sum(len(x) for x in parts) + 20
    residents = [resident(i) for i in range(100000)]
    size += sum(len(x) for x in residents)
    events = []
    while True:
        v = visit(len(events) * 7919 % 100000, len(events) // 100000, 1000)
        if size + len(v) > LIMIT - 4096:
            break
        events.append(v)
        size += len(v)
    path = os.path.join(d, "memory.yaml")
    size = write(path, parts + ["residents:\n"] + residents + ["events:\n"] + by_date(events))
    print("memory: a real-shaped scenario of %.2f MiB: %d residents, %d visits, 1,000 clinics"
          % (size / 1048576, len(residents), len(events)))
    for what, cmd in (("check", [mynasim, "check", path]),
                      ("run --fidelity rules", [mynasim, "run", "--fidelity", "rules", path])):
        secs, peak, err = run(cmd)
        print("memory: %-22s peak %7.1f MiB = %5.1f times the file's size (%.1f s)%s"
              % (what, peak / 1048576, peak / size, secs,
                 "" if "invalid" not in err or "0 invalid" in err else "; " + err.strip().splitlines()[-1][:120]))


def clinics(mynasim, d):
    print("clinics: `run --fidelity rules` over three months; a visit's cost is the time over the same residents"
          " with no visits")
    base = {}
    for people, nclin, visits in ((2000, 10000, 0), (2000, 100, 20000), (2000, 1000, 20000), (2000, 10000, 20000),
                                  (2000, 10000, 40000), (8000, 10000, 0), (8000, 10000, 80000)):
        parts = head("bench-clinics", nclin)
        parts.append("residents:\n")
        parts += [resident(i) for i in range(people)]
        if visits:
            parts.append("events:\n")
            parts += by_date([visit(i % people, i // people, nclin) for i in range(visits)])
        path = os.path.join(d, "clinics-%d-%d-%d.yaml" % (people, nclin, visits))
        size = write(path, parts)
        secs, peak, err = run([mynasim, "run", "--fidelity", "rules", path])
        base.setdefault(people, secs)
        extra = "" if not visits else ", %6.1f us a visit" % ((secs - base[people]) * 1e6 / visits)
        print("clinics: %5d residents, %5d clinics, %5d visits (%4.1f MiB): %6.2f s%s, peak %6.1f MiB%s"
              % (people, nclin, visits, size / 1048576, secs, extra, peak / 1048576,
                 "" if "0 invalid" in err and "0 failed" in err else "; " + err.strip().splitlines()[-1][:120]))


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ("memory", "clinics"):
        print(__doc__, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="mynasim-bench-") as d:
        {"memory": memory, "clinics": clinics}[sys.argv[2]](sys.argv[1], d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
