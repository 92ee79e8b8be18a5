BANNER = "flat-service ready"
