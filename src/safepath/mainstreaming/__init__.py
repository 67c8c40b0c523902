"""Projects tagged by roadmap pillar and programming type, and protection mainstreaming
self-assessments: per project, the four mainstreaming principles across the five project-cycle
stages, each scored 0 (not met) to 3 (fully met) with evidence, and an action plan with owners and
dates; progress between two assessments; a roll-up across projects by principle and stage; a
report by roadmap pillar."""
