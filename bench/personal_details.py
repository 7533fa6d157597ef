"""``make bench`` part: recall and false alarms of the personal-details check on the
labelled sentences (fast; no database or browser). ``python -m bench.personal_details``
runs it alone."""

from __future__ import annotations

from analysis.personal_details_benchmark import detection_rates, load_labelled


def run_personal_details() -> dict:
    """The check's rates on the labelled set, as a JSON-ready dict."""
    rates = detection_rates(load_labelled())
    return {
        "sentences": rates.positives + rates.negatives,
        "with_detail": rates.positives,
        "without_detail": rates.negatives,
        "recall": round(rates.recall, 4),
        "false_alarm_rate": round(rates.false_alarm_rate, 4),
        "missed": rates.missed,
        "false_alarms": rates.false_alarms,
    }


def markdown_lines(result: dict) -> list[str]:
    return [
        "## Personal-details check on the labelled sentences",
        "",
        f"{result['sentences']} sentences ({result['with_detail']} with a personal detail, "
        f"{result['without_detail']} without). Recall {result['recall']:.1%}; "
        f"false alarms {result['false_alarm_rate']:.1%}.",
        "",
    ]


if __name__ == "__main__":
    print("\n".join(markdown_lines(run_personal_details())))
