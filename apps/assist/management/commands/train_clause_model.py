"""Train the clause classifier on a JSON Lines file and store it where the service reads it."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.assist.classifier import TrainingDataError
from apps.assist.services import clause_model_train


class Command(BaseCommand):
    help = (
        "Train the clause classifier on UNFAIR-ToS-format JSON Lines (CLAUSE_TRAINING_FILE by "
        "default) and store it at CLAUSE_MODEL_PATH, where clause suggestions read it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--train", type=Path, default=None, help="JSON Lines training file (.jsonl or .gz)"
        )
        parser.add_argument("--output", type=Path, default=None, help="where to store the model")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, train, output, seed, **options):
        training_file = train or Path(settings.CLAUSE_TRAINING_FILE)
        model_path = output or Path(settings.CLAUSE_MODEL_PATH)
        try:
            trained = clause_model_train(
                training_file=training_file, model_path=model_path, seed=seed
            )
        except TrainingDataError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Cannot write the model to {model_path}: {error}") from error
        self.stdout.write(
            f"Trained on {trained.examples} sentences ({trained.labelled} with a category) in "
            f"{trained.seconds:.1f} s; stored at {model_path}."
        )
