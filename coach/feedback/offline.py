from coach.result import GradeResult


def write_feedback(result: GradeResult, *, answer: str, rubric, scenario=None) -> str:
    return f"Verdict: {result.verdict}."
