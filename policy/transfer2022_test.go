package policy

import (
	"testing"

	"healthcode"
)

func TestTransferRules2022(t *testing.T) {
	const (
		centralized = healthcode.IsolationCentralized
		home        = healthcode.IsolationHome
		start       = healthcode.IsolationStart
		release     = healthcode.IsolationRelease
	)
	runScenarios(t, "transfer-rules-2022", []scenario{
		{
			name:   "no record is green",
			seed:   "in addition to maintaining the original health code assignment rules",
			facts:  new(fb).declare(0),
			checks: []check{{0, green, "green"}, {d(30), green, "green"}},
		},
		{
			name: "1 confirmed case: red in hospital and 14 days after discharge, yellow 14 days, then green",
			seed: "Confirmed cases during the hospitalization and 14 days after discharge from the hospital during the centralized isolation of medical observation, the assignment of the red code",
			facts: new(fb).declare(0).caseOf(d(1), healthcode.CaseConfirmed).closed(d(10), healthcode.OutcomeCured).
				negatives(12, 15, 20, 24, 26, 30, 38),
			checks: []check{
				{d(2), red, "confirmed-case/treatment"},
				{d(11), red, "confirmed-case/centralized"},
				{d(23), red, "confirmed-case/centralized"},
				{d(25), yellow, "confirmed-case/home-monitoring"},
				{d(37), yellow, "home-monitoring"},
				{d(38) + h(1), green, "green"},
			},
		},
		{
			name:   "1 asymptomatic infection stays red until released from medical observation",
			seed:   "Asymptomatic infected persons in centralized isolation during medical observation, assigned to the red code",
			facts:  new(fb).declare(0).caseOf(d(1), healthcode.CaseAsymptomatic),
			checks: []check{{d(2), red, "treatment"}, {d(60), red, "treatment"}},
		},
		{
			name: "2 close contact: red 14 days from exposure with negative tests, then yellow 7 days, then green",
			seed: "close contacts of asymptomatic infected persons during 14 days of centralized isolation for medical observation, assigned the red code; centralized isolation during the nucleic acid test are negative, to the yellow code, the implementation of 7 days of home health monitoring",
			facts: new(fb).declare(0).contact(d(2), healthcode.ContactClose, d(1), false).
				negatives(3, 8, 14, 17, 19),
			checks: []check{
				{d(2), red, "close-contact/centralized"},
				{d(14), red, "close-contact/centralized"},
				{d(15) + h(1), yellow, "close-contact/home-monitoring"},
				{d(21), yellow, "home-monitoring"},
				{d(22) + h(1), green, "green"},
			},
		},
		{
			name:   "2 close contact without negative tests stays red after 14 days",
			seed:   "centralized isolation during the nucleic acid test are negative, to the yellow code",
			facts:  new(fb).declare(0).contact(d(2), healthcode.ContactClose, d(1), false),
			checks: []check{{d(20), red, "close-contact/centralized"}},
		},
		{
			name: "D2 release list from the isolation point turns red yellow with no application",
			seed: "Red code to yellow code: by each isolation point to fill out the \"release of centralized isolation personnel information summary form\" ... the transfer of the code process does not require personal application",
			facts: new(fb).declare(0).contact(d(2), healthcode.ContactClose, d(1), false).
				isolation(d(2), centralized, start).isolation(d(9), centralized, release),
			checks: []check{{d(8), red, "close-contact/centralized"}, {d(9), yellow, "close-contact/home-monitoring"}},
		},
		{
			name:   "3 sub-close contact: red 7 days, negative tests, then green",
			seed:   "the 7-day centralized isolation of the medical observation period, the assignment of the red code; centralized isolation during the nucleic acid test are negative, the transfer of the green code",
			facts:  new(fb).declare(0).contact(d(1), healthcode.ContactSubClose, d(1), false).negatives(2, 6),
			checks: []check{{d(2), red, "sub-close-contact/centralized"}, {d(8) + h(1), green, "green"}},
		},
		{
			name:  "4 overseas arrival: red 14 days from entry, yellow 7 days, green",
			seed:  "Overseas personnel from the date of entry, 14 days of centralized isolation during medical observation, assigned a red code",
			facts: new(fb).declare(0).entry(d(1)).negatives(5, 12, 16, 20),
			checks: []check{
				{d(1), red, "overseas-arrival/centralized"},
				{d(15) - h(1), red, "overseas-arrival/centralized"},
				{d(15) + h(1), yellow, "overseas-arrival/home-monitoring"},
				{d(22) + h(1), green, "green"},
			},
		},
		{
			name:   "5 companion in the same confined space: red 14 days, yellow 7, green",
			seed:   "in the same space at the same time segment with the same person, to red code, the implementation of the 14 days of centralized isolation medical observation",
			facts:  new(fb).declare(0).contact(d(1), healthcode.ContactCompanion, d(1), true).negatives(3, 10, 16, 20),
			checks: []check{{d(2), red, "companion-confined/centralized"}, {d(16), yellow, "home-monitoring"}, {d(23), green, "green"}},
		},
		{
			name:   "5 companion is yellow first",
			seed:   "Confirmed cases or asymptomatic infections of the spatial and temporal accompaniment of the first endowed with yellow code.",
			facts:  new(fb).declare(0).contact(d(1), healthcode.ContactCompanion, d(1), false),
			checks: []check{{d(1), yellow, "companion/home-monitoring"}, {d(10), yellow, "companion/home-monitoring"}},
		},
		{
			name: "5 days 3 tests: yellow turns green as soon as the third valid negative result arrives",
			seed: "General \"yellow code\" personnel to complete the \"five days, three tests\", in the third nucleic acid test results can be realized within an hour after the automatic conversion to \"green code\"",
			facts: new(fb).declare(0).contact(d(1), healthcode.ContactCompanion, d(1), false).
				test(d(2)+h(6), d(2), healthcode.TestNegative).
				test(d(3)+h(6), d(3), healthcode.TestNegative).
				test(d(4)+h(6), d(4), healthcode.TestNegative),
			checks: []check{
				{d(4) + h(6) - 1, yellow, "companion/home-monitoring"},
				{d(4) + h(6), green, "green"},
			},
		},
		{
			name: "5 days 3 tests: samples closer than 24 h count once",
			seed: "nucleic acid test sampling interval does not meet the requirements will lead to the automatic transfer of the code is not successful",
			facts: new(fb).declare(0).contact(d(1), healthcode.ContactCompanion, d(1), false).
				test(d(2)+h(6), d(2), healthcode.TestNegative).
				test(d(2)+h(18), d(2)+h(12), healthcode.TestNegative).
				test(d(3)+h(6), d(3), healthcode.TestNegative),
			checks: []check{{d(4), yellow, "companion/home-monitoring"}},
		},
		{
			name: "5 days 3 tests: three tests spread over more than five days do not count",
			seed: "nucleic acid test did not reach the required number of times or nucleic acid test sampling interval does not meet the requirements",
			facts: new(fb).declare(0).contact(d(1), healthcode.ContactCompanion, d(1), false).
				negatives(1.5, 4, 7),
			checks: []check{{d(7) + h(6), yellow, "companion/home-monitoring"}},
		},
		{
			name: "5 days 3 tests: a positive result is red at once, not a third test",
			seed: "home health monitoring during the nucleic acid test are negative, to green code / Asymptomatic infected persons in centralized isolation during medical observation, assigned to the red code",
			facts: new(fb).declare(0).contact(d(1), healthcode.ContactCompanion, d(1), false).
				negatives(2, 3).test(d(3)+h(8), d(3)+h(2), healthcode.TestPositive).negatives(5),
			checks: []check{{d(3) + h(8) - 1, yellow, "companion/home-monitoring"}, {d(5) + h(6), red, "positive-test/centralized"}},
		},
		{
			name:   "6 high-risk area resident: red 14 days, yellow 7 days, green",
			seed:   "High-risk area residents in the implementation of 14 days of centralized isolation medical observation assigned to the red code",
			facts:  new(fb).declare(0).stay(d(1), healthcode.AreaHigh, -d(3), d(1)).negatives(5, 12, 16, 20),
			checks: []check{{d(2), red, "high-risk-area/centralized"}, {d(16), yellow, "home-monitoring"}, {d(23), green, "green"}},
		},
		{
			name:   "7 medium-risk area resident: yellow 14 days, green on negative tests",
			seed:   "risk area residents in the implementation of 14 days of centralized (or home) health monitoring, assigned to the yellow code; during the period of nucleic acid test results are negative, to the green code",
			facts:  new(fb).declare(0).stay(d(1), healthcode.AreaMedium, -d(2), d(1)).negatives(3, 8),
			checks: []check{{d(2), yellow, "medium-risk-area/monitoring"}, {d(14), yellow, "medium-risk-area/monitoring"}, {d(15) + h(1), green, "green"}},
		},
		{
			name:  "8 special area, last exposure within 14 days: red 14 days, yellow 7, green",
			seed:  "last exposure time within 14 days, the implementation of 14 days of centralized isolation for medical observation, the assignment of the red code",
			facts: new(fb).declare(0).stay(d(5), healthcode.AreaSealed, -d(10), -d(5)).negatives(2, 8, 11, 14, 16),
			checks: []check{
				{d(10), red, "special-area-recent/centralized"},
				{d(12), yellow, "special-area-recent/home-monitoring"},
				{d(19), green, "green"},
			},
		},
		{
			name:   "8 special area, last exposure 14 to 21 days ago: yellow 7 days, green",
			seed:   "If it is more than 14 days and less than 21 days, code yellow will be assigned and 7 days of home health monitoring will be implemented",
			facts:  new(fb).declare(0).stay(d(1), healthcode.AreaControl, -d(30), -d(16)).negatives(3, 5),
			checks: []check{{d(2), yellow, "special-area-14-21/home-monitoring"}, {d(8) + h(1), green, "green"}},
		},
		{
			name:   "8 special area, last exposure over 21 days ago: yellow until two negative tests within three days",
			seed:   "More than 21 days, assigned a yellow code, the implementation of two nucleic acid test within three days, both negative, to the green code.",
			facts:  new(fb).declare(0).stay(d(1), healthcode.AreaControl, -d(40), -d(25)).negatives(2, 3.5),
			checks: []check{{d(2), yellow, "special-area-over-21/two-tests"}, {d(3.5) + h(5), green, "green"}},
		},
		{
			name:   "8 special area over 21 days: two tests four days apart do not count",
			seed:   "the implementation of two nucleic acid test within three days, both negative",
			facts:  new(fb).declare(0).stay(d(1), healthcode.AreaControl, -d(40), -d(25)).negatives(2, 6),
			checks: []check{{d(7), yellow, "special-area-over-21/two-tests"}},
		},
		{
			name: "not transferable: fever or cough in the last 14 days holds yellow",
			seed: "(3) those who have symptoms of new coronary pneumonia, such as fever, cough, and so on, in the last 14 days",
			facts: new(fb).declare(0).contact(d(1), healthcode.ContactCompanion, d(1), false).declare(d(2), "cough").
				negatives(2, 3, 4),
			checks: []check{{d(5), yellow, "block/symptoms"}, {d(16) - h(1), yellow, "block/symptoms"}, {d(16) + h(1), green, "green"}},
		},
		{
			name: "not transferable: still in a medium-risk area",
			seed: "(4) those who are currently in the middle and high risk areas will not be transferred to the code.",
			facts: new(fb).declare(0).contact(d(1), healthcode.ContactCompanion, d(1), false).
				stay(d(1), healthcode.AreaMedium, d(1), still).negatives(2, 3, 4),
			checks: []check{{d(20), yellow, ""}},
		},
		{
			name: "not transferable: close contact not released from isolation",
			seed: "(2) close contacts who have not been released from isolation for medical observation",
			facts: new(fb).declare(0).contact(d(2), healthcode.ContactClose, d(1), false).isolation(d(2), centralized, start).
				negatives(3, 8, 14, 17, 19),
			checks: []check{{d(16), red, "block/in-isolation"}, {d(30), red, "block/in-isolation"}},
		},
		{
			name:   "authority lock: a yellow code assigned by another province cannot be changed here",
			seed:   "If the yellow code is assigned to a high-risk area in a foreign province, the current province does not have the authority to change it, and even after the completion of the \"five days and three inspections\", the automatic code transfer cannot be realized.",
			facts:  new(fb).declare(0).foreign(d(1), "310000", yellow, false).negatives(2, 3, 4).transfer(d(5), green),
			checks: []check{{d(6), yellow, "authority-lock"}, {d(30), yellow, "authority-lock"}},
		},
		{
			name:   "authority lock: lifted by the issuing region",
			seed:   "Codes assigned by another province cannot be changed locally",
			facts:  new(fb).declare(0).foreign(d(1), "310000", yellow, false).foreign(d(4), "310000", 0, true),
			checks: []check{{d(2), yellow, "authority-lock"}, {d(4), green, "green"}},
		},
		{
			name: "a stay reported while still there, then again with its end, ends the block",
			seed: "(4) those who are currently in the middle and high risk areas will not be transferred to the code.",
			facts: new(fb).declare(0).stay(d(1), healthcode.AreaHigh, d(1), still).
				stay(d(2), healthcode.AreaHigh, d(1), d(1.5)).negatives(4, 8, 14, 17, 20),
			checks: []check{
				{d(3), red, "high-risk-area/centralized"},
				{d(16), yellow, "high-risk-area/home-monitoring"},
				{d(23), green, "green"},
			},
		},
		{
			name: "a designation's stay lasts while its trip is still there",
			seed: "(4) those who are currently in the middle and high risk areas will not be transferred to the code.",
			facts: new(fb).declare(0).trip(d(1), "T-1", d(1), still).designated(d(2), "T-1", healthcode.AreaHigh, d(1), still).
				trip(d(3), "T-2", d(0.5), d(0.6)), // another trip, elsewhere in time, replaces nothing
			checks: []check{{d(1.5), green, "green"}, {d(4), red, "high-risk-area/centralized"}, {d(30), red, "high-risk-area/centralized"}},
		},
		{
			name: "a designation's stay ends with its trip, re-reported with its end",
			seed: "(4) those who are currently in the middle and high risk areas will not be transferred to the code.",
			facts: new(fb).declare(0).trip(d(1), "T-1", d(1), still).designated(d(2), "T-1", healthcode.AreaHigh, d(1), still).
				trip(d(3), "T-1b", d(1), d(2)).designated(d(3), "T-1b", healthcode.AreaHigh, d(1), d(2)).negatives(4, 8, 14, 17, 20),
			checks: []check{{d(2.5), red, "high-risk-area/centralized"}, {d(17), yellow, "high-risk-area/home-monitoring"},
				{d(24), green, "green"}},
		},
		{
			name: "a trip re-reported as ended before the designation's period ends the stay made of it",
			seed: "(4) those who are currently in the middle and high risk areas will not be transferred to the code.",
			facts: new(fb).declare(0).trip(d(1), "T-1", d(1), still).designated(d(2), "T-1", healthcode.AreaHigh, d(2), still).
				trip(d(3), "T-1b", d(1), d(1.5)),
			checks: []check{{d(2.5), red, "high-risk-area/centralized"}, {d(3.5), green, "green"}},
		},
		{
			name:   "a stay re-reported at another level replaces the first report",
			seed:   "(4) those who are currently in the middle and high risk areas will not be transferred to the code.",
			facts:  new(fb).declare(0).stay(d(1), healthcode.AreaHigh, d(1), still).stay(d(2), healthcode.AreaMedium, d(1), d(1.5)),
			checks: []check{{d(1.5), red, "high-risk-area/centralized"}, {d(2.5), yellow, "medium-risk-area/monitoring"}},
		},
		{
			name:   "an official transfer to yellow applies to a green person too",
			seed:   "Error correction and transcoding applicants to the village, community application ... by the district (county) level unified in accordance with the provisions of the procedures for transcoding.",
			facts:  new(fb).declare(0).transfer(d(1), yellow),
			checks: []check{{d(1) - 1, green, "green"}, {d(2), yellow, "official-transfer/official"}},
		},
		{
			name:   "D4 error correction: the district transfers the code after a negative test",
			seed:   "nucleic acid test is negative by the district (county) level unified in accordance with the provisions of the procedures for transcoding",
			facts:  new(fb).declare(0).contact(d(1), healthcode.ContactClose, d(1), false).negatives(2).transfer(d(3), green),
			checks: []check{{d(2), red, "close-contact/centralized"}, {d(3), green, "green"}},
		},
	})
}
