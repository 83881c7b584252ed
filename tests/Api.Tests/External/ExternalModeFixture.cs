using OpenDesign.Workflows.Temporal.Testing;

namespace OpenDesign.Workflows.Api.Tests.External;

/// <summary>
/// One Temporal for the external-mode tests: the in-process test server in real time, or a real server when
/// TEMPORAL_TEST_ADDRESS is set. Tests isolate themselves with their own task queue; the deadline test brings its own
/// time-skipping server so that skipping never touches another test's workflows.
/// </summary>
public sealed class ExternalModeFixture : IAsyncLifetime
{
    public TemporalTestEnvironment Temporal { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Temporal = await TemporalTestEnvironment.StartAsync();

    public async ValueTask DisposeAsync() => await Temporal.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ExternalModeCollection : ICollectionFixture<ExternalModeFixture>
{
    public const string Name = "external mode";
}
