"""echomodel: the echostream model package (simulator, preprocessing, networks, training, scoring, export).

Scripts in model/ are thin entry points over these modules; nothing here edits sys.path.
"""
