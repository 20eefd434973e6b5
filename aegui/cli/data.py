"""`aegui data list|fetch|path|add`: the dataset catalogue (MNIST, Fashion-MNIST, KMNIST, EMNIST
letters), fetched into the per-user cache only when asked, or found in a folder the user
already has (`add`: checked by hash, remembered, not copied)."""
from __future__ import annotations

import json
import sys

from aegui.cli.common import EXIT_CANCELLED, UserError


def add_parsers(sub) -> None:
    """Adds `data` and its list, fetch, path and add subcommands."""
    d = sub.add_parser("data", help="the dataset catalogue: list, fetch NAME, path NAME, add NAME FOLDER")
    dsub = d.add_subparsers(dest="data_command", required=True, parser_class=type(d))
    dsub.add_parser("list", help="the catalogue, and which datasets are already fetched")
    f = dsub.add_parser("fetch", help="download a catalogue dataset into the cache (verified)")
    f.add_argument("name", help="mnist, fashion-mnist, kmnist or emnist-letters")
    f.add_argument("--quiet", action="store_true", help="no progress line")
    p = dsub.add_parser("path", help="print the folder a dataset is read from (the cache, or the one added)")
    p.add_argument("name")
    a = dsub.add_parser("add", help="use files you already have: check a folder against the catalogue's "
                        "hashes and remember it (nothing is copied)",
                        description="Check FOLDER (or its raw/ folder, or a torchvision root such as "
                        "data/MNIST/raw) for the dataset's four files: the published .gz files, or the "
                        "unpacked files when their bytes match the published SHA-256 of the unpacked file, "
                        "or .gz files that unpack to them. When all four match, the folder is remembered "
                        "and `data.catalogue` experiments read from it.")
    a.add_argument("name", help="mnist, fashion-mnist, kmnist or emnist-letters")
    a.add_argument("folder", help="the folder holding the files")


def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None

    def show(p):
        sys.stderr.write(f"\r\033[K{p.text()}")
        if p.total and p.done >= p.total:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return show


def cmd_data(args) -> int:
    """`aegui data list|fetch|path|add`: shows the catalogue, downloads and verifies a dataset, prints where one
    is read from, or registers a folder the user already has. Returns the exit status."""
    from aegui.core.data import catalogue, local_files
    from aegui.core.data.fetch import FetchCancelled, FetchError, dataset_dir, fetch, missing, verified_folder

    try:
        if args.data_command == "list":
            for e in catalogue.ENTRIES.values():
                where = local_files.state(e.name)
                state, _, folder = where.partition(": ")
                print(f"{e.name:16} {state:12} {e.title}\n{'':16} license: {e.license}\n{'':16} cite: {e.citation}"
                      + (f"\n{'':16} folder: {folder}" if folder else ""))
            return 0
        entry = catalogue.entry(args.name)
        if args.data_command == "path":
            if missing(entry.name) and entry.name in local_files.registered_folders():
                print(local_files.dataset_files(entry.name)["train_images"].parent)
            else:
                print(verified_folder(entry.name))
            return 0
        if args.data_command == "add":
            return _add(entry, args.folder)
        try:
            folder, got = fetch(entry.name, _progress(args.quiet))
        except FetchCancelled:
            print("\naegui: download cancelled; nothing half-downloaded was kept", file=sys.stderr)
            return EXIT_CANCELLED
        except KeyboardInterrupt:
            print(f"\naegui: download interrupted; nothing half-downloaded was kept in {dataset_dir(entry.name)}",
                  file=sys.stderr)
            return EXIT_CANCELLED
        print(f"{entry.name}: {'downloaded ' + ', '.join(got) if got else 'already in the cache, verified'} "
              f"({folder})", file=sys.stderr)
        print(json.dumps({"dataset": entry.name, "folder": str(folder), "downloaded": got,
                          "license": entry.license, "citation": entry.citation}))
        return 0
    except KeyError as e:
        raise UserError(str(e).strip('"')) from None
    except (FetchError, local_files.LocalFilesError) as e:
        raise UserError(str(e)) from None


def _add(entry, folder) -> int:
    from aegui.core.data.local_files import HOW, CheckCancelled, register
    tty = sys.stderr.isatty()

    def progress(name, i, n):
        if tty:
            sys.stderr.write(f"\r\033[Kchecking {name} ({i}/{n})")
            sys.stderr.flush()
    try:
        check = register(entry.name, folder, progress)
    except (CheckCancelled, KeyboardInterrupt):
        print("\naegui: cancelled; nothing was registered", file=sys.stderr)
        return EXIT_CANCELLED
    finally:
        if tty:
            sys.stderr.write("\r\033[K")
    for f in check.files:
        print(f"{entry.name}: {f.path.name}: {HOW[f.how]}", file=sys.stderr)
    print(f"{entry.name}: registered {check.folder}; experiments with data.catalogue \"{entry.name}\" read it "
          "(nothing was copied)", file=sys.stderr)
    print(json.dumps({"dataset": entry.name, "folder": str(check.folder),
                      "files": {f.role: {"path": str(f.path), "matched": f.how} for f in check.files}}))
    return 0


HANDLERS = {"data": cmd_data}
