using System.Text.Json;

namespace OpenDesign.Workflows.Domain.Tests.Support;

public static class Json
{
    /// <summary>Parses a JSON text into a detached element, as the HTTP layer hands bodies to the domain.</summary>
    public static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}
