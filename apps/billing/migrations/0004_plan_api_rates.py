"""API rates per minute and per day replace the hourly rate; Professional keeps API access at
120 requests a minute and 20,000 a day. Admins change them on the plan."""

from django.db import migrations, models

# The rates a plan with API access gets; a plan without it keeps zero (no key may be issued).
API_RATES = {"api_requests_per_minute": 120, "api_requests_per_day": 20000}


def set_api_rates(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    Plan.objects.filter(api_access=True).update(**API_RATES)


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0003_stripe_subscriptions'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='historicalplan',
            name='api_requests_per_hour',
        ),
        migrations.RemoveField(
            model_name='plan',
            name='api_requests_per_hour',
        ),
        migrations.AddField(
            model_name='historicalplan',
            name='api_requests_per_day',
            field=models.PositiveIntegerField(default=0, help_text="API requests an organization's keys may make per day."),
        ),
        migrations.AddField(
            model_name='historicalplan',
            name='api_requests_per_minute',
            field=models.PositiveIntegerField(default=0, help_text="API requests an organization's keys may make per minute."),
        ),
        migrations.AddField(
            model_name='plan',
            name='api_requests_per_day',
            field=models.PositiveIntegerField(default=0, help_text="API requests an organization's keys may make per day."),
        ),
        migrations.AddField(
            model_name='plan',
            name='api_requests_per_minute',
            field=models.PositiveIntegerField(default=0, help_text="API requests an organization's keys may make per minute."),
        ),
        migrations.RunPython(set_api_rates, migrations.RunPython.noop),
    ]
