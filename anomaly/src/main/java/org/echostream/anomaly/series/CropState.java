package org.echostream.anomaly.series;

import org.echostream.contracts.CropGeometry;
import org.echostream.contracts.PixelRegion;
import org.echostream.contracts.RegionSource;

/** The loop's crop geometry as kept in the series state. */
record CropState(int x, int y, int width, int height, String regionSource, double scale, int padX, int padY,
                 int sourceColumns, int sourceRows) {

    static CropState of(CropGeometry crop) {
        PixelRegion r = crop.getRegion();
        return new CropState(r.getX(), r.getY(), r.getWidth(), r.getHeight(), crop.getRegionSource().name(), crop.getScale(),
                crop.getPadX(), crop.getPadY(), crop.getSourceColumns(), crop.getSourceRows());
    }

    CropGeometry toGeometry() {
        return new CropGeometry(new PixelRegion(x, y, width, height), RegionSource.valueOf(regionSource), scale, padX, padY,
                sourceColumns, sourceRows);
    }
}
