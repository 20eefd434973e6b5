"""`aegui data list|fetch|path`: the dataset catalogue (MNIST, Fashion-MNIST, KMNIST, EMNIST
letters), fetched into the per-user cache only when asked."""
from __future__ import annotations

import json
import sys

from aegui.cli.common import EXIT_CANCELLED, UserError


def add_parsers(sub) -> None:
    d = sub.add_parser("data", help="the dataset catalogue: list, fetch NAME, path NAME")
    dsub = d.add_subparsers(dest="data_command", required=True, parser_class=type(d))
    dsub.add_parser("list", help="the catalogue, and which datasets are already fetched")
    f = dsub.add_parser("fetch", help="download a catalogue dataset into the cache (verified)")
    f.add_argument("name", help="mnist, fashion-mnist, kmnist or emnist-letters")
    f.add_argument("--quiet", action="store_true", help="no progress line")
    p = dsub.add_parser("path", help="print the cache folder of a fetched dataset")
    p.add_argument("name")


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
    from aegui.core.data import catalogue
    from aegui.core.data.fetch import FetchCancelled, FetchError, dataset_dir, fetch, missing, verified_folder

    try:
        if args.data_command == "list":
            for e in catalogue.ENTRIES.values():
                state = "fetched" if not missing(e.name) else "not fetched"
                print(f"{e.name:16} {state:12} {e.title}\n{'':16} license: {e.license}\n{'':16} cite: {e.citation}")
            return 0
        entry = catalogue.entry(args.name)
        if args.data_command == "path":
            print(verified_folder(entry.name))
            return 0
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
    except FetchError as e:
        raise UserError(str(e)) from None


HANDLERS = {"data": cmd_data}
