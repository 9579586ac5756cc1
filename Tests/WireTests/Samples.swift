import Wire

/// Contract values written out by hand; each equals the protoc fixture of the same name in
/// `Fixtures/` (e.g. `fullForm` ↔ `form_full.txtpb`), which is what the cross-checks rely on.
enum Samples {
    static let sha2026_11_1 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    static let sha2026_11_2 = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"

    /// `form_full`: every field set.
    static let fullForm = RegistryForm(
        formID: "F-2026-000123",
        siren: "123456789",
        descriptionActivity: "boulangerie pâtisserie artisanale",
        otherNatureActivity: "vente de café à emporter",
        precisionActSecAgricole: "élevage de brebis",
        typeForm: "M",
        nature: "99",
        surface: 120.5,
        cj: "5710",
        activityPermanenceStatus: "P",
        event: "01P",
        submittedAtUnixMs: 1_764_151_200_000
    )

    /// `form_minimal`: only the id and the description, no surface.
    static let minimalForm = RegistryForm(formID: "F-1", descriptionActivity: "Restauration traditionnelle")

    /// `form_zero_surface`: a surface declared as 0 m².
    static let zeroSurfaceForm = RegistryForm(formID: "F-0", descriptionActivity: "camping à la ferme", surface: 0)

    /// `result_manual_review`: candidates, model, explanation and the form.
    static let manualReviewResult = CodingResult(
        formID: "F-2026-000123",
        decision: .manualReview,
        candidates: [
            Candidate(code: "1071C", label: "Boulangerie et boulangerie-pâtisserie", probability: 0.5),
            Candidate(code: "1071D", label: "Pâtisserie", probability: 0.375),
            Candidate(
                code: "4724Z",
                label: "Commerce de détail de pain, pâtisserie et confiserie en magasin spécialisé",
                probability: 0.0625
            ),
        ],
        confidenceIndex: 0.125,
        model: ModelRef(name: "naf-fasttext", version: "2026.11.1", sha256: sha2026_11_1),
        codedAtUnixMs: 1_764_151_200_123,
        explanation: Explanation(tokens: [
            TokenContribution(token: "boulangerie", contribution: 2.5),
            TokenContribution(token: "pâtisserie", contribution: 1.25),
            TokenContribution(token: "artisanale", contribution: -0.5),
        ]),
        form: fullForm
    )

    /// `result_rejected`: a status and no candidates.
    static let rejectedResult = CodingResult(
        formID: "F-2026-000124",
        decision: .rejected,
        status: Status(code: .invalidArgument, message: "description_activity holds only whitespace"),
        codedAtUnixMs: 1_764_151_200_456
    )

    /// `directive`: a shadow canary with a version to roll back to.
    static let directive = ModelDirective(
        generation: 42,
        package: PackageRef(
            model: ModelRef(name: "naf-fasttext", version: "2026.11.2", sha256: sha2026_11_2),
            uri: "file:///var/lib/streamcoder/models/naf-fasttext/2026.11.2"
        ),
        canaryFraction: 0.25,
        shadow: true,
        previous: ModelRef(name: "naf-fasttext", version: "2026.11.1", sha256: sha2026_11_1),
        issuedAtUnixMs: 1_764_151_300_000,
        reason: "canary of the retrained (réentraîné) model on a quarter of the forms"
    )

    /// `worker_report`: two load errors and counters.
    static let workerReport = WorkerReport(
        workerID: "worker-7",
        active: ModelRef(name: "naf-fasttext", version: "2026.11.1", sha256: sha2026_11_1),
        candidate: ModelRef(name: "naf-fasttext", version: "2026.11.2", sha256: sha2026_11_2),
        directiveGeneration: 42,
        loadErrors: [
            ModelLoadError(
                model: ModelRef(name: "naf-torch", version: "2026.10.0"),
                error: "sha256 mismatch: the weights do not match the manifest",
                atUnixMs: 1_764_151_250_000
            ),
            ModelLoadError(
                model: ModelRef(name: "naf-torch", version: "2026.10.1"),
                error: "golden example 3: expected 5610A, got 5630Z",
                atUnixMs: 1_764_151_260_000
            ),
        ],
        counters: WorkerCounters(formsIn: 100_000, autoCoded: 81_234, manualReview: 18_000, deadLetters: 766),
        reportedAtUnixMs: 1_764_151_310_000,
        models: [
            ModelCounters(
                model: ModelRef(name: "naf-fasttext", version: "2026.11.1", sha256: sha2026_11_1),
                counters: WorkerCounters(formsIn: 90_000, autoCoded: 73_500, manualReview: 15_800, deadLetters: 700)
            ),
            ModelCounters(
                model: ModelRef(name: "naf-fasttext", version: "2026.11.2", sha256: sha2026_11_2),
                counters: WorkerCounters(
                    formsIn: 10_000,
                    autoCoded: 7_734,
                    manualReview: 2_200,
                    deadLetters: 66,
                    errors: 3
                )
            ),
        ],
        host: "worker-7.streamcoder.svc",
        partitions: [0, 2, 4, 6]
    )
}
