# Makes the WebP test images (no Java library here writes WebP): python3 make-webp.py, with Pillow (12.3.0, its
# bundled libwebp, made the committed files). ImageFolderTest and HostileImageTest repeat the pixel values.
from PIL import Image

PIXELS = [(10, 20, 30), (200, 100, 50), (0, 255, 128), (77, 77, 77),
          (255, 0, 0), (0, 0, 255), (1, 2, 3), (250, 251, 252),
          (128, 64, 32), (33, 66, 99), (5, 6, 7), (240, 15, 60)]
rgb = Image.new("RGB", (4, 3))
rgb.putdata(PIXELS)
rgb.save("rgb-4x3-lossless.webp", lossless=True)

# alpha is dropped on reading, the colour kept (PIL's convert("RGB"))
rgba = Image.new("RGBA", (1, 1))
rgba.putdata([(200, 100, 50, 128)])
rgba.save("rgba-1x1-lossless.webp", lossless=True)

# lossy: its pixels depend on the decoder; libwebp's own decoding (through PIL) is kept as a PNG to compare with
gradient = Image.new("RGB", (64, 64))
gradient.putdata([(x * 4, y * 4, (x + y) * 2) for y in range(64) for x in range(64)])
gradient.save("gradient-64x64-lossy.webp", quality=90)
Image.open("gradient-64x64-lossy.webp").convert("RGB").save("gradient-64x64-lossy.libwebp.png")
