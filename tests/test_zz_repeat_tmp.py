import gc
import pytest
from fake_openai import SAMPLE_ANSWER, SAMPLE_QUESTION, Reply, coach_home, good_feedback, make_settings, server  # noqa
from coach.grade import grade
from coach.llm.feedback import LLMFeedbackWriter
from coach.rubric.model import load_rubric

@pytest.mark.parametrize("i", range(150))
def test_broken(i, server, coach_home):
    graded = grade(SAMPLE_ANSWER, question=SAMPLE_QUESTION, answer_id="a1")
    server.feedback.append(Reply.broken_stream(good_feedback(graded.verdict, graded.score), after=4))
    tokens = []
    text = LLMFeedbackWriter(make_settings(server)).write(graded, answer=SAMPLE_ANSWER, rubric=load_rubric(), on_token=tokens.append)
    assert text == graded.feedback
    assert 0 < len(tokens) <= 5
    if i % 7 == 0:
        gc.collect()
