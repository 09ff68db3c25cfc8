"""The teams' own scores of a generated national cycle (penilaian mandiri), written with
bulk inserts: a third of the teams whose plan was handed in scored its version 1 on the
cycle's rubric. Mixed into `ScaleGenerator`, which draws them from a random sequence of
their own (`own_rng`) so that the rest of the data set does not move with them."""

from assessment import scoring
from assessment.models import SelfAssessment
from plans.enums import PlanState

SELF_ASSESSED = 1 / 3  # share of the handed-in plans whose team scored itself


class ScaleSelfAssessments:
    """`write_self_assessments(plans, reviews, users)` per chunk of plans."""

    def write_self_assessments(self, plans, reviews, users) -> None:
        """A third of the teams whose plan was handed in scored version 1 themselves:
        near their reviewers' levels, a little kinder on average (a draft's team, still
        without reviewers, near the middle of the scale)."""
        rng = self.own_rng
        rows = []
        for plan, slots, user in zip(plans, reviews, users, strict=True):
            if plan.state not in PlanState.SUBMITTED_ONCE or rng.random() >= SELF_ASSESSED:
                continue
            done = [s["review"] for s in slots if s["review"] and s["review"]["submitted"]]
            levels = {}
            for c in self.criteria:
                seen = [review["levels"][c.code] for review in done]
                centre = sum(seen) / len(seen) if seen else 3
                levels[c.code] = max(1, min(5, round(centre + 0.4 + rng.gauss(0, 0.6))))
            rows.append(
                SelfAssessment(
                    plan=plan,
                    version_number=1,
                    levels=levels,
                    total=scoring.review_total(self.weights, levels),
                    updated_by_id=user.pk,
                )
            )
        SelfAssessment.objects.bulk_create(rows, batch_size=self.batch)
        self.counts["self-assessments"] += len(rows)
