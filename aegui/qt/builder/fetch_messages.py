"""What the dataset dialog says when a download or a folder check fails, in the user's language.

The core's errors carry their parts (aegui.core.data.fetch.FetchError: the file, why each URL
failed, what to download by hand and where it goes; local_files.LocalFilesError: which file
differs or is missing). The CLI prints their English sentence, which ends with a command to run;
a window user gets sentences that start with a capital, links to click, and the dialog's own
button to press instead of the command. Rich text (the dialog's labels show links)."""
from __future__ import annotations

import html
from pathlib import Path

from aegui.qt.i18n import tr


def _link(url: str, text: str | None = None) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(text or url)}</a>'


def _folder_link(folder: Path) -> str:
    return _link(Path(folder).as_uri() if Path(folder).is_absolute() else str(folder), str(folder))


def _names(names) -> str:
    return ", ".join(f"<b>{html.escape(n)}</b>" for n in names)


def _reason(r) -> str:
    what = {"offline": tr("the server cannot be reached (are you offline?)"),
            "timeout": tr("the server did not answer in time"),
            "http": tr("the server answered HTTP {status}", status=r.detail)}.get(r.kind, r.detail)
    return f"{html.escape(r.url)}: {html.escape(what)}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def manual_advice(hint, button: str) -> str:
    """Download by hand, put the files in the folder, press `button` (the dialog's)."""
    if hint.archive_folder:
        return tr("To add it by hand: download {where}, take {files} out of its {inner} folder, put them in "
                  "{folder} and press “{button}” to check them.", where=_link(hint.where), files=_names(hint.files),
                  inner=html.escape(hint.archive_folder + "/"), folder=_folder_link(hint.folder), button=button)
    base = hint.where.rsplit("/", 1)[0] + "/"
    return tr("To add it by hand: download {files} from {where}, put them in {folder} and press “{button}” to "
              "check them.", files=_names(hint.files), where=_link(base), folder=_folder_link(hint.folder),
              button=button)


def fetch_error_html(err, button: str) -> str:
    """A FetchError (or any other error of a download) as the dialog shows it."""
    problem = getattr(err, "problem", "")
    if problem == "download":
        head = tr("Could not download {file}.", file=f"<b>{html.escape(err.file)}</b>")
        lines = [head] + [_reason(r) for r in err.reasons]
    elif problem == "hash":
        lines = [tr("{file} failed its check: the file is damaged or has changed. Nothing was kept.",
                    file=f"<b>{html.escape(err.file)}</b>")]
    else:
        return html.escape(_capital(str(err).strip() or type(err).__name__))
    if err.manual is not None:
        lines.append(manual_advice(err.manual, button))
    return "<br>".join(lines)


def folder_error_html(err) -> str:
    """A LocalFilesError (a folder that does not check out) as the dialog shows it."""
    kind = getattr(err, "kind", "")
    wanted = " / ".join(getattr(err, "wanted", ()))
    if kind == "differs":
        text = tr("{file} is not the published file: its bytes differ (SHA-256). Put the original file there, or "
                  "download the dataset.", file=f"<b>{html.escape(str(err.path))}</b>")
    elif kind == "missing":
        text = tr("{folder} holds no {wanted}.", folder=_folder_link(err.path), wanted=f"<b>{html.escape(wanted)}</b>")
    elif kind == "not_folder":
        text = tr("{folder} is not a folder.", folder=f"<b>{html.escape(str(err.path))}</b>")
    elif kind == "archive":
        return tr("This dataset comes as one archive whose files are checked as they are unpacked: use Download.")
    else:
        return html.escape(_capital(str(err).strip() or type(err).__name__))
    if getattr(err, "gz_only", False):
        text += " " + tr("No hash of this dataset's unpacked files is published, so only its published .gz files "
                         "can be checked.")
    return text
