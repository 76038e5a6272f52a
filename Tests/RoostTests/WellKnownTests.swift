import Roost
import Testing

@Suite struct WellKnownTests {
    @Test func apiVersionJoinsGroupAndVersion() {
        #expect(RoostAPI.apiVersion == "roost.dev/v1alpha1")
    }

    @Test func workerStatesAreTheLabelValues() {
        #expect(WorkerState.allCases.map(\.rawValue) == ["idle", "busy"])
    }
}
