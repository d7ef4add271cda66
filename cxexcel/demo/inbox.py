"""A realistic inbox of the federal centre: one folder per pilot region, the consultation log, a few odd files."""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from cxexcel.demo.dates import between, days, report_dates, workday
from cxexcel.demo.manifest import DemoFile, DemoManifest, Expected
from cxexcel.demo.mistakes import ANSWER_MISTAKES, ROADMAP_MISTAKES
from cxexcel.demo.people import FEDERAL_POSITIONS, people, phone
from cxexcel.demo.places import CITY_DISTRICTS, organisation_form, towns_of
from cxexcel.demo.region import CentrePlan, RegionPlan, RegionResult, build_region, file_time
from cxexcel.demo.texts import BY_EMAIL, BY_PHONE, CONSULTATIONS, FACE_TO_FACE, VIDEO_CALL, WEBINAR
from cxexcel.forms import catalog
from cxexcel.forms.kinds import CONSULTATIONS as CONSULTATIONS_KIND
from cxexcel.programme import Programme, default_programme
from cxexcel.template import build_workbook, template_filename

DEFAULT_REGIONS = 8
DEFAULT_SEED = 2021
# «about 2,000 answers per centre» when the caller does not fix the number
DEFAULT_ANSWERS = (1700, 2300)
# each centre's measurements must have room for the mistakes planted in them
MIN_ANSWERS = 10
FEDERAL_FOLDER = "ФЦК"
(LOG_SHEET,) = (s.name for s in CONSULTATIONS_KIND.sheets)
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def folder_name(region: str) -> str:
    """A region's mail folder, safe on any disk: «г. Москва» stays, a slash would not."""
    return _FORBIDDEN.sub("-", region).strip(" .")


def centre_name(region: str, place: str) -> str:
    return f"{organisation_form(region)} «Центр занятости населения {place}»"


def spelling_of(rng: random.Random, name: str) -> str:
    """The same centre as another clerk types it: quotes dropped or straightened, a letter's case, a space."""
    roll = rng.random()
    if roll < 0.6:
        return name
    variants = (
        name.replace("«", "").replace("»", ""),
        name.replace("«", '"').replace("»", '"'),
        name.replace("Центр", "центр"),
        name.replace(" «", "  «"),
    )
    return rng.choice(variants)


def _centres(rng: random.Random, region: str, count: int, answers: int | None) -> tuple[CentrePlan, ...]:
    towns = towns_of(region)
    capital = towns[0]
    places = [(t, t.genitive) for t in towns]
    for district in rng.sample(CITY_DISTRICTS, len(CITY_DISTRICTS)):
        places.append((capital, f"{district} района {capital.genitive}"))
    plans: list[CentrePlan] = []
    for town, place in places[:count]:
        name = centre_name(region, place)
        n = answers if answers is not None else rng.randint(*DEFAULT_ANSWERS)
        plans.append(CentrePlan(name, spelling_of(rng, name), town, n))
    return tuple(plans)


def plan_regions(
    inbox: Path,
    *,
    regions: int,
    seed: int,
    answers: int | None,
    programme: Programme,
) -> list[RegionPlan]:
    """Which regions, centres and report dates; where the mistakes and the odd files go."""
    master = random.Random(seed)
    picked = sorted(master.sample(range(len(catalog.REGIONS)), regions))
    interim, final = report_dates(programme)
    plans: list[RegionPlan] = []
    for index in picked:
        region = catalog.REGIONS[index]
        rng = random.Random(f"{seed}:{region}:plan")
        report_date = final if rng.random() < 0.7 else interim
        count = rng.choices((1, 2, 3), weights=(0.35, 0.45, 0.2))[0]
        plans.append(RegionPlan(
            region=region,
            inbox=inbox,
            folder=folder_name(region),
            seed=f"{seed}:{region}",
            programme=programme,
            report_date=report_date,
            organisation=centre_name(region, towns_of(region)[0].genitive),
            centres=_centres(rng, region, count, answers),
            final_report=report_date == final and rng.random() < 0.7,
            meeting_gap=rng.random() < 0.3,
        ))
    # one planted mistake of each sort, spread over the centres and regions
    for code in ANSWER_MISTAKES:
        i, n = master.choice([(i, n) for i, p in enumerate(plans) for n in range(len(p.centres))])
        centres = list(plans[i].centres)
        centres[n] = replace(centres[n], mistakes=(*centres[n].mistakes, code))
        plans[i] = replace(plans[i], centres=tuple(centres))
    for code in ROADMAP_MISTAKES:
        i = master.randrange(len(plans))
        plans[i] = replace(plans[i], mistakes=(*plans[i].mistakes, code))
    # the duplicate: a roadmap sent at the interim date and again at the final one
    finals = [i for i, p in enumerate(plans) if p.report_date == final] or list(range(len(plans)))
    i = master.choice(finals)
    report_date = plans[i].report_date
    older = interim if report_date > interim else workday(report_date - days(14))
    plans[i] = replace(plans[i], older_roadmap=older)
    i = master.randrange(len(plans))
    plans[i] = replace(plans[i], unreadable=master.choice(("csv", "truncated")))
    i = master.randrange(len(plans))
    plans[i] = replace(plans[i], lock_file=True)
    i = master.randrange(len(plans))
    plans[i] = replace(plans[i], cover_letter=True)
    return plans


def _build_all(plans: list[RegionPlan], jobs: int) -> list[RegionResult]:
    if jobs <= 1 or len(plans) <= 1:
        return [build_region(p) for p in plans]
    # the same start method as consolidation: no fork of a process that may hold threads
    context = multiprocessing.get_context("spawn" if sys.platform == "win32" else "forkserver")
    with ProcessPoolExecutor(max_workers=min(jobs, len(plans)), mp_context=context) as pool:
        return list(pool.map(build_region, plans, chunksize=1))


def consultation_log(inbox: Path, plans: list[RegionPlan], seed: int, programme: Programme) -> DemoFile:
    """The federal centre's log of consultations (item 1.5): a few questions from every region."""
    rng = random.Random(f"{seed}:{FEDERAL_FOLDER}")
    consultants = people(rng, 4)
    last = max(p.report_date for p in plans)
    forms = (WEBINAR, BY_PHONE, BY_PHONE, BY_EMAIL, BY_EMAIL, VIDEO_CALL, FACE_TO_FACE)
    rows: list[dict[str, object]] = []
    for plan in plans:
        for consultation in rng.sample(CONSULTATIONS, rng.randint(1, 4)):
            day = workday(between(rng, programme.pilot_start + days(3), last - days(1)))
            closed = workday(day + days(rng.randint(0, 6)))
            is_closed = closed <= last and rng.random() < 0.85
            centre = rng.choice(plan.centres)
            rows.append({
                "date": day,
                "region": plan.region,
                "czn": spelling_of(rng, centre.name) if rng.random() < 0.6 else "",
                "form": rng.choice(forms),
                "topic": consultation.topic,
                "question": consultation.question,
                "answer": consultation.answer if is_closed or rng.random() < 0.3 else "",
                "consultant": rng.choice(consultants).short,
                "status": catalog.CONSULTATION_CLOSED if is_closed else catalog.CONSULTATION_OPEN,
                "closed_date": max(closed, day) if is_closed else None,
            })
    rows.sort(key=lambda r: (r["date"], r["region"]))
    head = consultants[0]
    folder = inbox / FEDERAL_FOLDER
    path = folder / template_filename(CONSULTATIONS_KIND)
    build_workbook(CONSULTATIONS_KIND.key, path, programme=programme, report_date=last, data={
        catalog.TITLE_SHEET: {"responsible": head.full, "position": FEDERAL_POSITIONS[-1],
                              "phone": phone(rng, "495"), "email": head.email("fck-rabota.ru")},
        LOG_SHEET: rows,
    })
    stamp = file_time(last, 0)
    os.utime(path, (stamp, stamp))
    return DemoFile(f"{FEDERAL_FOLDER}/{path.name}", CONSULTATIONS_KIND.key, None, None, last, Expected.ACCEPTED)


def generate_inbox(
    folder: str | Path,
    *,
    regions: int = DEFAULT_REGIONS,
    seed: int = DEFAULT_SEED,
    answers_per_centre: int | None = None,
    programme: Programme | None = None,
    jobs: int = 1,
) -> DemoManifest:
    """Write a realistic inbox into folder (absent or empty) and say what is in it.

    The same seed gives the same files cell for cell: every random choice comes from generators
    seeded by `seed` and the region, never from the clock. `jobs` > 1 builds regions in parallel.
    """
    if not 1 <= regions <= len(catalog.REGIONS):
        raise ValueError(f"regions must be from 1 to {len(catalog.REGIONS)}")
    if answers_per_centre is not None and answers_per_centre < MIN_ANSWERS:
        raise ValueError(f"answers_per_centre must be at least {MIN_ANSWERS}")
    inbox = Path(folder)
    if inbox.exists() and (not inbox.is_dir() or any(inbox.iterdir())):
        raise FileExistsError(f"{inbox} is not an empty folder")
    programme = programme or default_programme()
    plans = plan_regions(inbox, regions=regions, seed=seed, answers=answers_per_centre, programme=programme)
    for plan in plans:
        (inbox / plan.folder).mkdir(parents=True, exist_ok=True)
    results = _build_all(plans, jobs)
    manifest = DemoManifest(inbox, seed, answers_per_centre, max(p.report_date for p in plans),
                            regions=[p.region for p in plans])
    for result in results:
        manifest.files += result.files
        manifest.mistakes += result.mistakes
        manifest.centres += result.centres
    manifest.files.append(consultation_log(inbox, plans, seed, programme))
    manifest.files.sort(key=lambda f: f.path)
    manifest.mistakes.sort(key=lambda m: (m.path, m.sheet, m.code.value))
    return manifest


