"""The worked example of docs/review-algorithm.md, built with the real code (the doc test checks
that the document still shows exactly what this produces)."""

from vetq.reviews.canonical import digest, seed_for
from vetq.reviews.draw import ALGORITHM_VERSION, export_document, notice_inputs, perform

TITLE = "2025年度品牌专业评审（示例）"
SOURCE = "中国福利彩票“3D”第2025060期开奖号码（2025年3月5日开奖）"
PUBLIC_VALUE = "3 8 1"
RULES = {"experts_per_application": 3, "load_min": 1, "load_max": 3, "reserves": 2,
         "balance_weight": 20, "candidates_per_application": 60, "probability_cap": "0"}
POOL = [
    {"code": "E0001", "industries": ["next_gen_it"], "major_groups": ["51"]},
    {"code": "E0002", "industries": ["next_gen_it", "e_commerce"], "major_groups": ["51", "53"]},
    {"code": "E0003", "industries": ["high_end_equipment"], "major_groups": ["46"]},
    {"code": "E0004", "industries": ["high_end_equipment", "new_energy_vehicles"], "major_groups": ["46"]},
    {"code": "E0005", "industries": ["e_commerce"], "major_groups": ["53"]},
    {"code": "E0006", "industries": ["elderly_care"], "major_groups": ["52"]},
    {"code": "E0007", "industries": ["next_gen_it"], "major_groups": ["46", "51"]},
    {"code": "E0008", "industries": ["elderly_care", "e_commerce"], "major_groups": ["52", "53"]},
]
APPLICATIONS = [
    {"id": 101, "industries": ["next_gen_it"], "major_groups": ["51"]},
    {"id": 102, "industries": ["high_end_equipment"], "major_groups": ["46"]},
    {"id": 103, "industries": ["e_commerce"], "major_groups": ["53"]},
    {"id": 104, "industries": ["elderly_care"], "major_groups": ["52"]},
]
CONFLICTS = [["E0001", 101, ["own_institution"]], ["E0004", 102, ["past_employer"]],
             ["E0005", 103, ["partner_enterprise"]], ["E0006", 104, ["same_region"]]]


def worked_example():
    inputs = notice_inputs(title=TITLE, rules=RULES, pool=POOL, applications=APPLICATIONS,
                           conflicts=CONFLICTS, public_value_source=SOURCE)
    inputs_digest = digest(inputs)
    seed = seed_for(inputs_digest, PUBLIC_VALUE, ALGORITHM_VERSION)
    result = perform(inputs, seed)
    document = export_document(inputs=inputs, inputs_digest=inputs_digest, public_value_source=SOURCE,
                               public_value=PUBLIC_VALUE, seed=seed, result=result)
    return inputs, inputs_digest, seed, result, document
