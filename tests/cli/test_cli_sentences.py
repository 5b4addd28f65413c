"""Every error the operator can meet at the command line is a sentence: the bot's own translated text for a
domain rule, a plain statement for a file, never a raw code such as `brand.exists (brand=…)`, never a traceback,
and always a non-zero exit status."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from circlecart.cli import main
from domain.errors import ErrorCode
from tests.cli.test_cli import circlecart
from tests.conftest import STARS_CATALOG
from tests.support.clock import FakeClock

# What a raw code looks like: feature.snake_case, as DomainError.__str__ used to print them.
CODE = re.compile(r"\b[a-z]+\.[a-z]+(?:_[a-z]+)*\b")

Run = Callable[..., tuple[int, str, str]]


def every_error_code() -> set[str]:
    import bots.core.app  # noqa: F401  (imports every capability, so every feature's codes are defined)
    import domain.shop.catalog_file  # noqa: F401

    def below(cls: type[ErrorCode]) -> Iterator[type[ErrorCode]]:
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return {code.value for cls in below(ErrorCode) for code in cls}


def no_code_in(text: str, tmp_path: Path) -> list[str]:
    """The code-shaped words left once the paths the test made are taken out (file names have dots too)."""
    without_paths = re.sub(re.escape(str(tmp_path)) + r"\S*", "<file>", text)
    return CODE.findall(without_paths)


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """The CLI in this process, on a shop with the tests' catalog, a plan and a scheduled drop."""
    monkeypatch.setenv("CIRCLECART_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
    monkeypatch.setenv("LANG", "C.UTF-8")
    for name in ("LC_ALL", "LC_MESSAGES", "CIRCLECART_OWNER_IDS", "CIRCLECART_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    clock = FakeClock()

    def invoke(*args: str) -> tuple[int, str, str]:
        code = main(list(args), clock)
        out, err = capsys.readouterr()
        return code, out, err

    assert invoke("catalog", "import", str(STARS_CATALOG))[0] == 0
    assert invoke("plan", "add", "100", "XTR", "Circle", "discount=10")[0] == 0
    starts = clock.now() + timedelta(days=3)
    (tmp_path / "drop.yaml").write_text(drop_yaml(starts), encoding="utf-8")
    assert invoke("drop", "schedule", str(tmp_path / "drop.yaml"))[0] == 0
    return invoke


def drop_yaml(starts: datetime, price: str = "180", extra: str = "", brand: str = "Celadon Studio") -> str:
    return (
        "drops:\n"
        f"  - brand: {brand}\n"
        "    product: TEA-SET-01\n"
        "    quantity: 2\n"
        f"    price: {price}\n"
        f"    starts: {starts.isoformat()}\n"
        f"    ends: {(starts + timedelta(hours=1)).isoformat()}\n"
        "    key: tea-1\n"
        f"{extra}"
    )


def test_every_cli_error_is_a_sentence_not_a_code(run: Run, tmp_path: Path) -> None:
    soon = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # the fixture's clock starts on 2026-11-22
    files = {
        "latin1.csv": "sku,title,price,currency,stock\nCAFE-1,Café crème,10,EUR,3\n".encode("latin-1"),
        "latin1-drops.yaml": drop_yaml(soon).replace("Celadon Studio", "Céladon").encode("latin-1"),
        "broken.yaml": b"products:\n  - sku: A-1\n    title: [unclosed\n",
        "broken.csv": b'sku,title,price,currency,stock\nA-1,"never closed,10,EUR,3\n',
        "nocolumns.csv": b"name,cost\nTea,3\n",
        "broken-drops.yaml": b"drops:\n  - brand: Celadon Studio\n    product: [TEA\n",
        "bad-field-drops.yaml": drop_yaml(soon, extra="    colour: blue\n    limit: many\n").encode(),
        "unknown-brand-drops.yaml": drop_yaml(soon, brand="Nobody Ceramics").encode(),
        "precise-drops.yaml": drop_yaml(soon, price="1.5").encode(),
        "past-drops.yaml": drop_yaml(soon - timedelta(days=30)).replace("tea-1", "tea-past").encode(),
        "twice-keyed-drops.yaml": (
            drop_yaml(soon) + drop_yaml(soon + timedelta(days=1)).removeprefix("drops:\n")
        ).encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "a-folder.yaml").mkdir()
    missing = tmp_path / "no-such-folder"
    cases: list[tuple[str, ...]] = [
        ("catalog", "import", str(tmp_path / "latin1.csv")),
        ("catalog", "import", str(tmp_path / "absent.yaml")),
        ("catalog", "import", str(missing / "catalog.yaml")),
        ("catalog", "import", str(tmp_path / "a-folder.yaml")),
        ("catalog", "import", str(tmp_path / "broken.yaml")),
        ("catalog", "import", str(tmp_path / "broken.csv")),
        ("catalog", "import", str(tmp_path / "nocolumns.csv")),
        ("catalog", "import", str(tmp_path / "catalog.txt")),
        ("catalog", "export", str(missing / "out.yaml")),
        ("catalog", "export", str(tmp_path / "a-folder.yaml")),
        ("catalog", "export", str(tmp_path / "out.txt")),
        ("drop", "schedule", str(tmp_path / "latin1-drops.yaml")),
        ("drop", "schedule", str(missing / "drops.yaml")),
        ("drop", "schedule", str(tmp_path / "a-folder.yaml")),
        ("drop", "schedule", str(tmp_path / "broken-drops.yaml")),
        ("drop", "schedule", str(tmp_path / "bad-field-drops.yaml")),
        ("drop", "schedule", str(tmp_path / "unknown-brand-drops.yaml")),
        ("drop", "schedule", str(tmp_path / "precise-drops.yaml")),
        ("drop", "schedule", str(tmp_path / "past-drops.yaml")),
        ("drop", "schedule", str(tmp_path / "twice-keyed-drops.yaml")),
        ("drop", "list", "--brand", "Nobody Ceramics"),
        ("drop", "cancel", "999"),
        ("drop", "verify", "999"),
        ("drop", "verify", "1"),
        ("brand", "add", "Celadon Studio"),
        ("brand", "add", "   "),
        ("brand", "staff", "add", "Nobody Ceramics", "5"),
        ("brand", "staff", "add", "Celadon Studio", "0"),
        ("brand", "staff", "remove", "Nobody Ceramics", "5"),
        ("plan", "add", "100", "XTR", "Monthly", "days=20"),
        ("plan", "add", "2.555", "EUR", "Precise"),
        ("plan", "add", "5", "ZZZ", "Nowhere"),
        ("plan", "add", "1", "XTR", "Freebies", "discount=5", "--community", "-100123"),
        ("plan", "add", "1", "XTR", "Branded", "--brand", "Nobody Ceramics"),
        ("plan", "terms", "1", "discount=90"),
        ("plan", "price", "1", "cheap"),
        ("plan", "price", "42", "10"),
        ("plan", "close", "42"),
        ("refunds", "done", "1"),
        ("refunds", "done", "1", "--by", "77"),
        ("export", "orders", "--since", "last tuesday"),
        ("export", "members", "--output", str(missing / "members.csv")),
        ("export", "payments", "--output", str(tmp_path / "a-folder.yaml")),
        ("jobs",),
        ("--language", "zh", "brand", "add", "Celadon Studio"),
    ]
    codes = every_error_code()
    failures = []
    for args in cases:
        status, out, err = run(*args)
        said = out + err
        problems = []
        if status == 0:
            problems.append("exit status 0")
        if not err.startswith("circlecart: ") or len(err.strip()) < len("circlecart: ") + 10:
            problems.append("no sentence on standard error")
        if "Traceback" in said:
            problems.append("a traceback")
        leaked = [code for code in codes if code in said] + no_code_in(said, tmp_path)
        if leaked:
            problems.append(f"codes {leaked}")
        if problems:
            failures.append(f"{' '.join(args)} -> {problems}: {said!r}")
    assert not failures, "\n".join(failures)


def test_the_operators_language_is_used_for_the_bots_sentences(run: Run) -> None:
    status, _, err = run("--language", "zh", "brand", "add", "Celadon Studio")
    assert status == 1 and err.strip() == "circlecart: 品牌 Celadon Studio 已存在。"
    status, _, err = run("brand", "add", "Celadon Studio")
    assert status == 1 and err.strip() == "circlecart: The brand Celadon Studio exists already."


def test_the_shells_locale_chooses_the_language_when_no_option_does(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    status, _, err = run("brand", "add", "Celadon Studio")
    assert status == 1 and err.strip() == "circlecart: 品牌 Celadon Studio 已存在。"
    monkeypatch.setenv("LANG", "C.UTF-8")  # no language in the locale: the shop's default language
    monkeypatch.setenv("CIRCLECART_DEFAULT_LANGUAGE", "zh")
    assert run("brand", "add", "Celadon Studio")[2].strip() == "circlecart: 品牌 Celadon Studio 已存在。"


def test_a_utf16_catalog_is_read_and_the_cli_says_so(run: Run, tmp_path: Path) -> None:
    text = "sku,title,price,currency,stock,kind\nTEA-SET-01,Celadon tea set,250,XTR,25,service\n"
    catalog = tmp_path / "from-a-spreadsheet.csv"
    catalog.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    status, out, err = run("catalog", "import", str(catalog))
    assert status == 0 and "0 created, 1 updated" in out, err
    assert err.strip() == f"{catalog} is UTF-16 text, not UTF-8: read it as UTF-16."


# -- the same from outside, through the console script: no traceback can hide in a subprocess ---------------


def test_a_latin1_file_a_missing_folder_and_a_duplicate_drop_file_are_told_in_sentences(tmp_path: Path) -> None:
    env = {"CIRCLECART_DATABASE_URL": f"sqlite:///{tmp_path / 'shop.db'}", "LANG": "C.UTF-8"}
    latin = tmp_path / "prices.csv"
    latin.write_bytes("sku,title,price,currency,stock\nCAFE-1,Café crème,10,EUR,3\n".encode("latin-1"))
    result = circlecart("catalog", "import", str(latin), env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"circlecart: {latin} is not UTF-8 text: line 2 has the byte 0xE9, as Latin-1 or Windows-1252 files do. "
        "Save it as UTF-8 and run the command again."
    )

    result = circlecart("export", "orders", "--output", str(tmp_path / "reports" / "orders.csv"), env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"circlecart: There is no folder {tmp_path / 'reports'} to write {tmp_path / 'reports' / 'orders.csv'} "
        "into: create it first, or name another file."
    )

    assert circlecart("catalog", "import", str(STARS_CATALOG), env=env).returncode == 0
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)  # later than the CLI's own clock
    drops = tmp_path / "drops.yaml"
    drops.write_text(drop_yaml(starts), encoding="utf-8")
    first = circlecart("drop", "schedule", str(drops), env=env)
    assert first.returncode == 0 and first.stdout.rstrip().endswith("[key tea-1]: created"), first.stderr
    again = circlecart("drop", "schedule", str(drops), env=env)
    assert again.returncode == 0 and "[key tea-1]: unchanged" in again.stdout
    assert f"nothing changed: every drop in {drops} was already scheduled as it says" in again.stdout
    listed = circlecart("drop", "list", env=env)
    assert len(listed.stdout.splitlines()) == 1 and "\tscheduled\t" in listed.stdout

    twice = tmp_path / "twice.yaml"  # one file naming two drops by the same key
    twice.write_text(drop_yaml(starts) + drop_yaml(starts + timedelta(days=1)).removeprefix("drops:\n"))
    result = circlecart("drop", "schedule", str(twice), env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "key 'tea-1' is given to two drops of Celadon Studio" in result.stderr
    assert f"{twice} has problems, so no drop was scheduled" in result.stderr


def test_every_cli_sentence_has_a_chinese_translation_with_the_same_placeholders() -> None:
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    from bots.core.i18n import LOCALES_DIR

    root = Path(__file__).resolve().parents[2] / "circlecart"
    keywords = {"t": None, "plain": None, "N_": None}
    msgids = {item[2] for item in extract_from_dir(str(root), keywords=keywords) if isinstance(item[2], str)}
    with (LOCALES_DIR / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    assert len(msgids) > 20  # the extraction itself works
    placeholders = re.compile(r"{(\w+)}")
    for msgid in msgids:
        entry = catalog.get(msgid)
        assert entry is not None and entry.string and not entry.fuzzy, f"no Chinese for {msgid!r}"
        assert set(placeholders.findall(str(entry.string))) == set(placeholders.findall(msgid)), msgid


def test_a_file_written_half_way_is_not_left_behind(tmp_path: Path) -> None:
    from circlecart import files

    target = tmp_path / "orders.csv"
    with pytest.raises(ConnectionRefusedError), files.written(target) as handle:
        handle.write("order_id,created_at\n1,")
        raise ConnectionRefusedError("the database went away")  # not the file's fault: raised as it is
    assert list(tmp_path.iterdir()) == []  # neither a truncated orders.csv nor its partial file
    with files.written(target) as handle:
        handle.write("order_id\n1\n")
    assert target.read_text(encoding="utf-8") == "order_id\n1\n" and list(tmp_path.iterdir()) == [target]


def test_a_database_that_cannot_be_opened_is_named_without_its_password(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIRCLECART_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'gone' / 'shop.db'}")
    status, _, err = run("brand", "list")
    assert status == 1 and "Traceback" not in err
    assert err.startswith(
        f"circlecart: The database sqlite+aiosqlite:///{tmp_path / 'gone' / 'shop.db'} cannot be used"
    )
    monkeypatch.setenv("CIRCLECART_DATABASE_URL", "postgresql://shop:hunter2@127.0.0.1:1/shop")  # nothing listens
    status, _, err = run("drop", "list")
    assert status == 1 and "hunter2" not in err and "postgresql://shop:***@127.0.0.1:1/shop cannot be used" in err
