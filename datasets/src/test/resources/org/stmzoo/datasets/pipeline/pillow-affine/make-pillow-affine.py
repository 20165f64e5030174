# Makes Pillow's own outputs for PillowAffineTest: python3 make-pillow-affine.py, with Pillow (12.3.0 on x86-64
# Linux, glibc 2.36, made the committed files). A 23x17 RGB image, a noisy gradient with two flat patches, and what
# RandAugment's geometric ops (as timm calls them, BICUBIC with the mean colour as fill) and the invariance
# analysis's rotation (zeros as fill) make of it; PNG keeps every value.
import random

from PIL import Image

FILL = (124, 116, 104)

rng = random.Random(17)
source = Image.new("RGB", (23, 17))


def pixel(x, y):
    if x < 8 and y < 6:
        return (255, 255, 255)  # flat: the cubic must give 255 back, not 254.99999
    if x >= 16 and y >= 11:
        return (90, 90, 90)
    # a gradient plus noise (every neighbour different)
    return (min(255, x * 11 + rng.randrange(24)), min(255, y * 15 + rng.randrange(24)), rng.randrange(256))


source.putdata([pixel(x, y) for y in range(17) for x in range(23)])
source.save("source.png")


def affine(matrix):
    return source.transform(source.size, Image.AFFINE, matrix, resample=Image.BICUBIC, fillcolor=FILL)


source.rotate(7.3, resample=Image.BICUBIC, fillcolor=FILL).save("rotate-7.3.png")
source.rotate(-90, resample=Image.BICUBIC, fillcolor=FILL).save("rotate-minus-90.png")  # not square: warped
affine((1, 0.21, 0, 0, 1, 0)).save("shear-x-0.21.png")
affine((1, 0, 0, -0.17, 1, 0)).save("shear-y-minus-0.17.png")
affine((1, 0, 0.2 * 23, 0, 1, 0)).save("translate-x-0.2.png")  # timm: pct * img.size[0]
affine((1, 0, 0, 0, 1, -0.2 * 17)).save("translate-y-minus-0.2.png")
source.rotate(33, resample=Image.BICUBIC).save("rotate-33-zero-fill.png")
