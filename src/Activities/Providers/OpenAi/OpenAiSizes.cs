namespace OpenDesign.Workflows.Activities.Providers.OpenAi;

/// <summary>
/// Open Design's aspects (1:1, 16:9, 9:16, 4:3, 3:4) as the sizes OpenAI accepts. Each model family has three
/// shapes, so landscape aspects share the landscape size and portrait ones the portrait size (see docs/configuration.md).
/// </summary>
internal static class OpenAiSizes
{
    public const string DefaultImageAspect = "1:1";
    public const string DefaultVideoAspect = "16:9";

    /// <summary>Sora's clip lengths; a requested length goes to the nearest, ties to the longer.</summary>
    private static readonly int[] VideoSeconds = [4, 8, 12];

    public static string Image(string model, string? aspect)
    {
        var shape = ShapeOf(aspect ?? DefaultImageAspect);
        return model == "dall-e-3"
            ? shape switch { Shape.Landscape => "1792x1024", Shape.Portrait => "1024x1792", _ => "1024x1024" }
            : shape switch { Shape.Landscape => "1536x1024", Shape.Portrait => "1024x1536", _ => "1024x1024" };
    }

    /// <summary>Sora 2 renders 1280x720 or 720x1280; a square request gets landscape, the video default.</summary>
    public static string Video(string? aspect) =>
        ShapeOf(aspect ?? DefaultVideoAspect) == Shape.Portrait ? "720x1280" : "1280x720";

    public static int Seconds(double? length)
    {
        if (length is not { } wanted) return VideoSeconds[0];
        return VideoSeconds.OrderBy(s => Math.Abs(s - wanted)).ThenByDescending(s => s).First();
    }

    private static Shape ShapeOf(string aspect) => aspect switch
    {
        "16:9" or "4:3" => Shape.Landscape,
        "9:16" or "3:4" => Shape.Portrait,
        _ => Shape.Square,
    };
}

internal enum Shape
{
    Square,
    Landscape,
    Portrait,
}
