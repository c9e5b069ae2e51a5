using System.Drawing;
using Hermes.Providers.Library;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

var services = new ServiceCollection();
services.AddHermesImageGeneration(o => o.Environment["XAI_API_KEY"] = Environment.GetEnvironmentVariable("XAI_API_KEY") ?? "")
    .UseOpenTelemetry();   // in a host with logging, chain .UseLogging() too

await using var provider = services.BuildServiceProvider();
var generator = provider.GetRequiredService<IImageGenerator>();
var response = await generator.GenerateImagesAsync("a red fox in snow",
    new ImageGenerationOptions { ImageSize = new Size(1024, 1536), Count = 2 });
foreach (var image in response.Contents.OfType<UriContent>())
{
    Console.WriteLine(image.Uri.LocalPath);   // a file under $HERMES_HOME/cache/images
}
