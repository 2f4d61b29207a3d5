package demo

import (
	"time"

	"github.com/skillgate/skillgate/server/internal/onboarding"
)

func onboardingInput(trainerID, programID string, start time.Time) onboarding.CreateInput {
	return onboarding.CreateInput{Name: CohortName, StartDate: start.Format(onboarding.Date), TrainerID: trainerID,
		ProgramIDs: []string{programID}}
}
