app_name = "provisions"

urlpatterns: list = []
