"""Clang's thread-safety analysis over the product's sources.

Reads build/compile_commands.json (the gcc Release build), and runs
`clang++ -fsyntax-only -Wthread-safety -Werror` on every translation unit of
the product (src/, journal/, storage/; not tests or benchmarks), in parallel.
The GUARDED_BY / REQUIRES / EXCLUDES annotations (src/base/mutex.h) are
then checked facts: a field read without its mutex fails here.

  python3 tests/thread_safety/check.py [--build build] [--jobs N]
Exit status 1 on any warning.
"""
import argparse
import concurrent.futures
import json
import os
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECKED_DIRS = ("src/", "journal/", "storage/")


def clang_command(entry):
    """The gcc command of one file, turned into a clang syntax check."""
    args = shlex.split(entry["command"]) if "command" in entry else list(entry["arguments"])
    kept = ["clang++", "-fsyntax-only", "-Wthread-safety", "-Wthread-safety-beta", "-Werror"]
    skip_next = False
    for arg in args[1:]:
        if skip_next:
            skip_next = False
            continue
        if arg in ("-o", "-MF", "-MT", "-MQ"):
            skip_next = True
            continue
        if arg in ("-c", "-MD", "-MMD") or arg.startswith("-W") or arg.startswith("-O"):
            continue
        if arg == "ccache" or arg.endswith("/c++") or arg.endswith("/g++"):
            continue
        kept.append(arg)
    return kept


def check(entry):
    command = clang_command(entry)
    done = subprocess.run(command, cwd=entry["directory"], capture_output=True, text=True)
    return entry["file"], done.returncode, done.stderr


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    with open(os.path.join(args.build, "compile_commands.json")) as database:
        entries = json.load(database)
    product = [e for e in entries
               if os.path.relpath(e["file"], ROOT).startswith(CHECKED_DIRS)]
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for path, code, errors in pool.map(check, product):
            if code != 0:
                failed += 1
                sys.stdout.write(errors)
    print(f"thread-safety analysis: {len(product)} files, {failed} with findings")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
