using System.Drawing;
using Hermes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

var services = new ServiceCollection();
services.AddHermesImageGeneration(HermesOptions.FromEnvironment())   // or new HermesOptions { XaiApiKey = key }
    .UseOpenTelemetry();   // in a host with logging, chain .UseLogging() too

await using var provider = services.BuildServiceProvider();
var generator = provider.GetRequiredService<IImageGenerator>();
var response = await generator.GenerateImagesAsync("a red fox in snow",
    new ImageGenerationOptions { ImageSize = new Size(1024, 1536), Count = 2 });
var foxes = response.Contents.OfType<UriContent>().ToList();
foreach (var image in foxes)
{
    Console.WriteLine(image.Uri.LocalPath);   // a file under $HERMES_HOME/cache/images
}

// An edit: the first original image is the one to change, any others are references.
var edited = await generator.EditImagesAsync([foxes[0]], "give the fox a green scarf");
Console.WriteLine(edited.Contents.OfType<UriContent>().Single().Uri.LocalPath);
