"""The screens of the flow: welcome, walk, outcome, scenario, run, results, and help."""
