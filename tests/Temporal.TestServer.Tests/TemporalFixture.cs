using OpenDesign.Workflows.Temporal.Testing;

namespace OpenDesign.Workflows.Temporal.TestServer.Tests;

// One server for the whole suite (as a real server would be shared); tests isolate themselves with
// unique task queues and workflow ids.
public sealed class TemporalFixture : TemporalTestFixture, IAsyncLifetime;

[CollectionDefinition(Name)]
public sealed class TemporalCollection : ICollectionFixture<TemporalFixture>
{
    public const string Name = "temporal";
}
