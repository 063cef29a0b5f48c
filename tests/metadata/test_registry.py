"""The outlet registry: the packaged defaults, a corpus's own outlets.csv, and bad rows reported."""

from __future__ import annotations

from pathlib import Path

from newsdesk.metadata.registry import OUTLET_TYPES, REGISTRY_FILE_NAME, load_registry, read_registry_rows


def test_the_packaged_registry_is_consistent() -> None:
    registry = load_registry()
    assert len(registry.outlets) >= 300 and not registry.problems
    domains = [d for o in registry.outlets for d in o.domains]
    assert len(domains) == len(set(domains))
    assert {o.type for o in registry.outlets} <= set(OUTLET_TYPES)
    assert registry.by_site("https://english.news.cn/20230320/x.html").name == "Xinhua"
    assert registry.by_site("https://www.reuters.com/world/").wire
    assert registry.by_name("the associated press") is registry.by_name("AP")
    assert registry.by_site("https://unknown-site.example/x") is None


def test_a_corpus_registry_adds_and_replaces_rows(tmp_path: Path) -> None:
    (tmp_path / REGISTRY_FILE_NAME).write_text(
        "name,aliases,domains,country,type,wire\n"
        "Geopolitiki,GEOPOLITIKI,geopolitiki.com,GR,commercial,no\n"
        "Reuters News,Reuters,reuters.com,GB,wire,yes\n",
        encoding="utf-8",
    )
    registry = load_registry(tmp_path)
    assert registry.by_site("www.geopolitiki.com").country == "GR"
    assert registry.by_site("reuters.com").name == "Reuters News"
    assert registry.by_name("Reuters").name == "Reuters News"
    assert sum(o.name.startswith("Reuters") for o in registry.outlets) == 1


def test_bad_rows_are_reported_with_their_line_and_skipped() -> None:
    text = (
        "name,domains,type,country,wire\n"
        "Good,good.example,commercial,GB,no\n"
        "Bad domain,https://x.example/path,commercial,GB,no\n"
        "Bad type,bad.example,tabloid,GB,no\n"
        ",nameless.example,commercial,GB,no\n"
        "Bad country,c.example,commercial,Britain,no\n"
    )
    outlets, problems = read_registry_rows(text, "outlets.csv")
    assert [o.name for o in outlets] == ["Good"]
    assert [(p.file, p.line) for p in problems] == [("outlets.csv", n) for n in (3, 4, 5, 6)]
    assert "tabloid" in problems[1].message


def test_a_registry_without_its_columns_or_not_utf8_is_an_error(tmp_path: Path) -> None:
    _, problems = read_registry_rows("outlet,site\nA,a.example\n", "outlets.csv")
    assert problems and problems[0].severity == "error" and "name" in problems[0].message
    (tmp_path / REGISTRY_FILE_NAME).write_bytes("name,domains\nCaf\xe9,cafe.example\n".encode("cp1252"))
    registry = load_registry(tmp_path)
    assert registry.problems[0].severity == "error" and "UTF-8" in registry.problems[0].message
    assert registry.by_site("cafe.example") is None and registry.by_site("reuters.com") is not None
