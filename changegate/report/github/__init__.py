"""report/github"""
