NAME = "beside-lock"
