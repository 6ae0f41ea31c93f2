"""Pictures (issue 12): route maps and history charts, from the knowledge, in both languages.

What a user would notice: a map shows the route's towns in order inside the country, a route
that cannot be drawn says so in text, a chart's figures are the ones the text answers give,
the picture is a real PNG of the size promised, the caption fits Telegram, a picture that
fails to draw still gets the text answer, and places without coordinates are caught by
``millebot validate``.
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.core.answer import Answerer
from bot.core.chartdata import KM_PER_MILE, chart_data, speed_kmh
from bot.core.drawing import CHART_SIZE, MAP_SIZE, draw
from bot.core.loader import load_knowledge
from bot.core.model import Knowledge
from bot.core.pictures import picture_request
from bot.core.picturestore import PictureCache, PictureIds
from bot.core.reply import Kind, Picture, Reply
from bot.core.routemap import REGIONS, route_plan
from bot.tg.pictures import CAPTION_LIMIT, caption_of
from tests.conftest import write_kb

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk, after checking the signature."""
    assert data.startswith(PNG_SIGNATURE), data[:8]
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def ask(answerer: Answerer, text: str, lang: str | None = None) -> Reply:
    return answerer.answer(text, NOW, lang)


# ----------------------------------------------------------------- what asks for a picture


@pytest.mark.parametrize(
    ("text", "kind", "chart"),
    [
        ("show me the 2014 route on a map", "map", None),
        ("mappa del percorso 2015", "map", None),
        ("/map 1927", "map", None),
        ("/map@millebot 2014 festa", "map", None),
        ("chart of the winners' average speed", "chart", "speeds"),
        ("grafico delle velocità medie", "chart", "speeds"),
        ("graph of the starters per year", "chart", "fields"),
        ("grafico dei partenti", "chart", "fields"),
        ("plot the wins by make", "chart", "makes"),
        ("grafico delle vittorie per marca", "chart", "makes"),
        ("/chart speeds", "chart", "speeds"),
        ("/chart", "chart", None),
    ],
)
def test_maps_and_charts_are_recognised_in_english_and_italian(
    text: str, kind: str, chart: str | None
) -> None:
    wish = picture_request(text)
    assert wish is not None and wish.kind == kind and wish.chart == chart


@pytest.mark.parametrize(
    "text",
    ["who won in 1955", "does the route pass through Siena", "/edition 2014", "chi ha vinto"],
)
def test_ordinary_questions_ask_for_no_picture(text: str) -> None:
    assert picture_request(text) is None


# ----------------------------------------------------------------- maps


def test_the_2014_map_is_a_png_of_the_promised_size(knowledge: Knowledge) -> None:
    png = draw(knowledge, Picture("map", "mille-miglia/2014", knowledge.digest))
    assert png_size(png) == MAP_SIZE


def test_every_route_in_the_knowledge_gets_a_map_or_an_honest_text(answerer: Answerer) -> None:
    knowledge = answerer.knowledge
    drawn = 0
    for edition in knowledge.editions:
        suffix = "" if edition.event == "mille-miglia" else f" {edition.event}"
        reply = ask(answerer, f"/map {edition.year}{suffix}")
        if reply.picture is not None:
            drawn += 1
            assert reply.kind is Kind.ANSWER and reply.picture.subject == edition.key
            plan = route_plan(knowledge, edition)
            region = REGIONS[edition.event]
            assert all(region.contains(lat, lon) for lon, lat in plan.coordinates()), edition.key
        else:
            assert reply.kind is Kind.UNKNOWN, reply.text
            assert "cannot draw" in reply.text, reply.text
    assert drawn == sum(1 for e in knowledge.editions if e.route)  # every listed route is drawn


def test_a_map_asked_in_words_names_the_edition(answerer: Answerer) -> None:
    reply = ask(answerer, "show me the 2014 route on a map")
    assert reply.picture is not None and reply.picture.subject == "mille-miglia/2014"
    assert "Brescia - Padova - Rome" in reply.text
    italian = ask(answerer, "mappa del percorso 2014")
    assert italian.picture is not None and italian.picture.lang == "it"
    assert "Percorso: Brescia - Padova - Rome" in italian.text


def test_a_map_of_an_ambiguous_event_asks_which_with_a_button_each(answerer: Answerer) -> None:
    reply = ask(answerer, "/map tribute")
    assert reply.kind is Kind.CLARIFY and reply.picture is None
    assert "/map ferrari-tribute" in [b.ask for b in reply.buttons]
    assert ask(answerer, "/map 1955 2014").kind is Kind.UNKNOWN  # two years: the usage line


def test_a_route_without_towns_says_so_and_sends_no_map(answerer: Answerer) -> None:
    reply = ask(answerer, "mappa del percorso 2015")
    assert reply.picture is None and reply.kind is Kind.UNKNOWN
    assert "non posso disegnarlo" in reply.text
    california = ask(answerer, "/map 2014 california mille")
    assert california.picture is None and "Northern California" in california.text


def test_the_map_leaves_out_and_names_the_towns_without_coordinates(answerer: Answerer) -> None:
    reply = ask(answerer, "/map 2026")
    assert reply.picture is not None
    assert "Not on the map (no coordinates in my sources): Passo del Cavallo, Furlo." in reply.text
    italian = ask(answerer, "mappa del percorso 2014", "it")
    assert italian.picture is not None and "Non sulla mappa" not in italian.text  # Roma is on it


def test_edition_cards_offer_a_map_only_when_the_route_can_be_drawn(answerer: Answerer) -> None:
    assert "/map 2014" in [b.ask for b in ask(answerer, "/edition 2014").buttons]
    assert "/map 2014" in [b.ask for b in ask(answerer, "/edition 2014 route").buttons]
    assert not any(b.ask.startswith("/map") for b in ask(answerer, "/edition 2015").buttons)


# ----------------------------------------------------------------- charts


@pytest.mark.parametrize("name", ["speeds", "fields", "makes"])
def test_charts_are_pngs_of_the_promised_size(knowledge: Knowledge, name: str) -> None:
    png = draw(knowledge, Picture("chart", name, knowledge.digest, "it"))
    assert png_size(png) == CHART_SIZE


def test_the_speed_chart_uses_the_text_answers_figures_and_marks_moss(answerer: Answerer) -> None:
    data = chart_data(answerer.knowledge, "speeds")
    points = {p.year: p for p in data.series[0].points}
    assert points[1955].value == 157.65 and points[1955].disputed
    assert points[1948].converted and points[1948].value == pytest.approx(75.76 * KM_PER_MILE)
    assert data.record is not None and data.record.year == 1955
    assert "Moss" in data.record.winners[0].driver
    text = ask(answerer, "/chart speeds").text
    assert "Stirling Moss / Denis Jenkinson 1955: 157.65 km/h, the record" in text
    assert "Sources differ for 1931, 1948, 1950, 1953, 1954, 1955, 1956" in text
    assert "No average speed in my sources: 1947, 1952." in text


def test_the_fields_chart_shows_each_years_starters_as_the_card_does(knowledge: Knowledge) -> None:
    data = chart_data(knowledge, "fields")
    shown = {p.year: p.value for s in data.series for p in s.points}
    for edition in knowledge.editions_of("mille-miglia"):
        if edition.starters is not None and edition.era in ("speed", "revival"):
            assert shown[edition.year] == edition.starters
    assert [s.era for s in data.series] == ["speed", "revival"]


def test_the_makes_chart_counts_as_the_most_successful_make_answer(answerer: Answerer) -> None:
    data = chart_data(answerer.knowledge, "makes")
    eras = dict(data.makes)
    assert eras["speed"]["Alfa Romeo"] == 11 and eras["speed"]["Ferrari"] == 8
    answer = ask(answerer, "which make won most often in the speed race and in the revival").text
    assert "Alfa Romeo (11), Ferrari (8)" in answer and "Alfa Romeo (15), BMW (3)" in answer
    assert (eras["revival"]["Alfa Romeo"], eras["revival"]["BMW"]) == (15, 3)


def test_speeds_are_read_in_kmh_or_converted_from_mph() -> None:
    assert speed_kmh("157.65 km/h (1000 Miglia)") == (157.65, False)
    assert speed_kmh("100 mph") == (100 * KM_PER_MILE, True)
    assert speed_kmh("about fast") is None and speed_kmh(None) is None
    assert speed_kmh("157,65 km/h (1000 Miglia)") == (157.65, False)  # Italian knowledge


def test_the_italian_speed_chart_text_has_every_speed_in_italian_figures(
    knowledge: Knowledge,
) -> None:
    from bot.core.localise import localised

    italian = Answerer(localised(knowledge, "it"))  # as Italian users are answered: 157,65 km/h
    text = ask(italian, "/chart speeds", "it").text
    assert "1927 77,2; 1928 84,1;" in text
    assert "Stirling Moss / Denis Jenkinson 1955: 157,65 km/h, il record" in text
    assert "Nessuna media nelle mie fonti: 1947, 1952." in text  # as in English, no more


# ----------------------------------------------------------------- captions and the cache


def test_a_caption_never_exceeds_telegrams_limit() -> None:
    long_lines = tuple(f"Line {n} with <tags> & ampersands " * 8 for n in range(20))
    reply = Reply(Kind.ANSWER, long_lines, title="A <title>")
    caption = caption_of(reply)
    assert len(caption) <= CAPTION_LIMIT and caption.endswith("…")
    assert caption.startswith("<b>A &lt;title&gt;</b>")
    one_line = Reply(Kind.ANSWER, ("<" * 3000,))
    assert len(caption_of(one_line)) <= CAPTION_LIMIT


def test_a_picture_is_drawn_once_per_knowledge_version(
    tmp_path: Path, knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.core import drawing

    calls: list[str] = []
    real = drawing.draw

    def counting(k: Knowledge, picture: Picture) -> bytes:
        calls.append(picture.key)
        return real(k, picture)

    monkeypatch.setattr(drawing, "draw", counting)
    cache = PictureCache(tmp_path / "pictures")
    first = Picture("chart", "makes", "a" * 64)
    assert cache.png(knowledge, first) == cache.png(knowledge, first)
    newer = Picture("chart", "makes", "b" * 64)
    cache.png(knowledge, newer)
    assert calls == [first.key, newer.key]
    assert [p.name for p in (tmp_path / "pictures").iterdir()] == [f"{newer.key}.png"]


async def test_file_ids_survive_a_restart_in_the_state_file(tmp_path: Path) -> None:
    path = tmp_path / "bot.state.sqlite3"
    picture = Picture("map", "mille-miglia/2014", "c" * 64)
    ids = PictureIds(path)
    await ids.open()
    await ids.remember(picture, "AgACAgQ")
    await ids.close()
    again = PictureIds(path)
    await again.open()
    assert again.get(picture) == "AgACAgQ"
    await again.forget(picture)
    assert again.get(picture) is None
    await again.close()


# ----------------------------------------------------------------- validate and console


def test_validate_reports_a_route_town_without_coordinates(
    kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    places = kb_dir / "places.yaml"
    places.write_text(
        places.read_text(encoding="utf-8").replace("    lat: 45.53558\n    lon: 10.21472\n", ""),
        encoding="utf-8",
    )
    assert main(["validate", str(kb_dir)]) == 1
    out = capsys.readouterr().out
    assert (
        "editions/mille-miglia.yaml:4: editions[0].route[0]: 'Brescia' has no coordinates "
        "in places.yaml" in out
    )


def test_validate_accepts_a_place_that_says_why_it_has_no_coordinates(kb_dir: Path) -> None:
    places = kb_dir / "places.yaml"
    text = places.read_text(encoding="utf-8")
    text = text.replace(
        "    lat: 45.53558\n    lon: 10.21472\n    source: https://www.geonames.org/3181554\n",
        "    no_coordinates: not in the gazetteer used\n",
    )
    places.write_text(text, encoding="utf-8")
    result = load_knowledge(kb_dir)
    assert result.ok, result.problems


def test_validate_rejects_coordinates_out_of_range_or_without_a_source(kb_dir: Path) -> None:
    places = kb_dir / "places.yaml"
    text = places.read_text(encoding="utf-8").replace("lat: 41.89193", "lat: 141.89193")
    text = text.replace("    source: https://www.geonames.org/3181554\n", "")
    places.write_text(text, encoding="utf-8")
    problems = [str(p) for p in load_knowledge(kb_dir).problems]
    assert "places.yaml:3: places[0].lat: latitude 141.89193 is not between -90 and 90" in problems
    assert any("places[1].source: coordinates need their source" in p for p in problems)


def test_console_writes_a_map_and_a_chart(
    tmp_path: Path, real_kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(real_kb))
    out = tmp_path / "map.png"
    assert main(["map", "2014", "-o", str(out)]) == 0
    assert png_size(out.read_bytes()) == MAP_SIZE
    chart = tmp_path / "chart.png"
    assert main(["chart", "speeds", "-o", str(chart), "--lang", "it"]) == 0
    assert png_size(chart.read_bytes()) == CHART_SIZE
    assert main(["map", "2015", "-o", str(tmp_path / "none.png")]) == 1
    assert not (tmp_path / "none.png").exists()


def test_small_knowledge_base_without_places_draws_nothing_and_says_so(tmp_path: Path) -> None:
    from tests.conftest import SMALL_KB

    files: dict[str, Any] = dict(SMALL_KB)
    kb = write_kb(tmp_path / "knowledge", files)
    result = load_knowledge(kb)
    assert result.knowledge is not None
    reply = Answerer(result.knowledge).answer("/map 1931", NOW)
    assert reply.picture is not None  # Brescia - Rome - Brescia: two towns with coordinates
    assert reply.picture.subject == "mille-miglia/1931"


def test_a_sister_event_route_is_drawn_in_its_own_region(tmp_path: Path) -> None:
    from tests.conftest import SMALL_KB

    files: dict[str, Any] = dict(SMALL_KB)
    files["places.yaml"] += (
        "  - name: San Francisco\n    lat: 37.77493\n    lon: -122.41942\n"
        "    source: https://www.geonames.org/5391959\n"
        "  - name: Sacramento\n    lat: 38.58157\n    lon: -121.4944\n"
        "    source: https://www.geonames.org/5389489\n"
    )
    files["editions/california-mille.yaml"] = (
        "event: california-mille\neditions:\n  - year: 2014\n    status: held\n"
        "    route: [San Francisco, Sacramento, San Francisco]\n    sources: [seed]\n"
    )
    result = load_knowledge(write_kb(tmp_path / "knowledge", files))
    assert result.knowledge is not None, result.problems
    edition = result.knowledge.edition("california-mille", 2014)
    assert edition is not None
    plan = route_plan(result.knowledge, edition)
    assert plan.region.name == "Northern California"
    view = plan.view()
    assert all(view.contains(lat, lon) for lon, lat in plan.coordinates())
    png = draw(result.knowledge, Picture("map", edition.key, result.knowledge.digest))
    assert png_size(png) == MAP_SIZE


def test_answering_never_loads_the_drawing_libraries() -> None:
    """matplotlib costs ~40 MB, Pillow and numpy less: only a picture actually drawn loads them."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from pathlib import Path\n"
        "from bot.core.answer import Answerer\n"
        "from bot.core.loader import load_knowledge\n"
        "k = load_knowledge(Path('knowledge')).knowledge\n"
        "a = Answerer(k)\n"
        "for q in ('/map 2014', '/chart speeds', 'mappa 2026', '/edition 2014', 'who won'):\n"
        "    a.answer(q, datetime(2026, 1, 1, tzinfo=UTC))\n"
        "print('matplotlib' in sys.modules, 'numpy' in sys.modules, 'PIL' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False", "False"]


def test_chart_axes_get_round_ticks_that_cover_the_figures() -> None:
    from bot.core.chartdraw import nice_ticks

    assert nice_ticks(0, 203.5, 9) == [0, 25, 50, 75, 100, 125, 150, 175, 200]
    assert nice_ticks(2012, 2024, 6, whole=True) == [2012, 2014, 2016, 2018, 2020, 2022, 2024]
    assert nice_ticks(0, 16.8, 6, whole=True) == [0, 5, 10, 15]


def test_a_new_look_of_the_pictures_is_drawn_and_uploaded_afresh(
    answerer: Answerer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cached PNGs and file ids are kept per picture key: a new drawing must change the key."""
    from bot.core import pictures

    before = ask(answerer, "/map 2014").picture
    monkeypatch.setattr(pictures, "DRAWING_VERSION", pictures.DRAWING_VERSION + 1)
    after = ask(answerer, "/map 2014").picture
    assert before is not None and after is not None
    assert before.key != after.key and before.subject == after.subject
    assert ask(answerer, "/map 2014").picture == after  # the same look keeps its key
