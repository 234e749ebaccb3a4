app_name = "regulations"

urlpatterns: list = []
