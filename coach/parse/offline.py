from coach.tree import Tree


def parse_answer(answer: str) -> Tree:
    return Tree()
